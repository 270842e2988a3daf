import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { INTEGER } from './openapi-types.js';
import { StrictInt } from './strict-int.js';

/** `?limit=` of a newest-first list route: a strict decimal integer 1–200, default 20 (docs/security.md, "Input limits"). */
export class ListLimitQuery {
  @ApiPropertyOptional({ ...INTEGER, minimum: 1, maximum: 200, default: 20, example: 20 })
  @IsOptional()
  @StrictInt()
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}
