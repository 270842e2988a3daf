import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DATE, DATE_TIME, INTEGER, UUID } from '../common/http/openapi-types.js';
import { ListLimitQuery } from '../common/http/list-limit.query.js';

const POLICY_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  description: 'A complete policy document (the shape of src/scoring/policy/default-policy.json; validated field by field)',
} as const;

export class CreateBacktestDto {
  @ApiProperty({ ...POLICY_SCHEMA, example: { name: 'default', version: '1.3.0', currency: 'NGN', '…': '…' } })
  @IsObject()
  policy!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'string',
    maxLength: 160,
    example: 'stored',
    description:
      '`stored` (default: each decision under its own policy, as decided), `current` (the engine’s configured policy) or a stored policy version such as `default@1.2.0+bf19264ff338`',
  })
  @IsOptional()
  @IsString()
  @MaxLength(160)
  baseline?: string;

  @ApiPropertyOptional({ ...POLICY_SCHEMA, description: 'A baseline policy document instead of `baseline`' })
  @IsOptional()
  @IsObject()
  baselinePolicy?: Record<string, unknown>;

  @ApiPropertyOptional({ ...DATE, description: 'First Lagos day of the decisions replayed (default: the first)', example: '2026-06-01' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'from must be a valid date' })
  from?: string;

  @ApiPropertyOptional({
    ...DATE,
    description: 'Lagos day after the last decision replayed (exclusive; default: none)',
    example: '2026-09-01',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'to must be a valid date' })
  to?: string;
}

export class ListBacktestsQuery extends ListLimitQuery {}

export const BACKTEST_FORMATS = ['json', 'html'] as const;
export class BacktestFormatQuery {
  @ApiPropertyOptional({ enum: BACKTEST_FORMATS, description: '`html`: a standalone page with the charts' })
  @IsOptional()
  @IsIn(BACKTEST_FORMATS)
  format?: (typeof BACKTEST_FORMATS)[number];
}

class BacktestWindowDto {
  @ApiProperty({ ...DATE, nullable: true }) from!: string | null;
  @ApiProperty({ ...DATE, nullable: true }) to!: string | null;
}
class BacktestProgressDto {
  @ApiProperty({ ...INTEGER, example: 41250 }) done!: number;
  @ApiProperty({ ...INTEGER, example: 100000 }) total!: number;
}

export class BacktestDto {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: ['queued', 'running', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty({ example: 'default@1.3.0+5d41402abc4b' }) candidatePolicy!: string;
  @ApiProperty({ example: 'stored', description: '`stored` or the baseline policy’s version' }) baselinePolicy!: string;
  @ApiProperty({ type: BacktestWindowDto }) window!: BacktestWindowDto;
  @ApiProperty({ ...DATE_TIME, description: 'When loan outcomes are read (the request’s time)' }) outcomesAsOf!: string;
  @ApiProperty({ type: BacktestProgressDto }) progress!: BacktestProgressDto;
  @ApiProperty({ example: 'api-key:6f1c2b0e-8a3d-4c55-9a51-2f8f2e0b7c11' }) requestedBy!: string;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty({ ...DATE_TIME, nullable: true }) startedAt!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) finishedAt!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) error!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'The figures once succeeded (docs/scoring.md "Backtest": flips, examples, approvalRate, limits, reasonShifts, grades, outcomes with byDecision, byGrade, curve, operatingPoint, rankingPower); in lists only `decisions` and `flipped`',
  })
  result!: Record<string, unknown> | null;
}

export class ShadowPolicyRequestDto {
  @ApiProperty({ ...POLICY_SCHEMA, example: { name: 'default', version: '1.3.0', currency: 'NGN', '…': '…' } })
  @IsObject()
  policy!: Record<string, unknown>;
}

export class ShadowPolicyDto {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ example: 'default@1.3.0+5d41402abc4b' }) policyVersion!: string;
  @ApiProperty({ example: 'api-key:6f1c2b0e-8a3d-4c55-9a51-2f8f2e0b7c11' }) createdBy!: string;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty({ ...DATE_TIME, nullable: true }) retiredAt!: string | null;
  @ApiProperty() active!: boolean;
}
