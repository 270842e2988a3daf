import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { INTEGER, KOBO, UUID } from '../../common/http/openapi-types.js';

export const SUPPORTED_CURRENCIES = ['NGN'] as const;

export class CreateApplicationDto {
  @ApiProperty({ ...UUID, example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' })
  @IsUUID('all', { message: 'borrowerId must be a UUID' })
  borrowerId!: string;

  @ApiProperty({
    ...KOBO,
    example: 25000000,
    description: 'Requested amount in integer kobo (₦250,000.00 = 25000000)',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
  })
  @IsInt({ message: 'amount must be an integer number of kobo' })
  @Min(1, { message: 'amount must be positive' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'amount exceeds the safe integer range' })
  amount!: number;

  @ApiPropertyOptional({ example: 'NGN', enum: SUPPORTED_CURRENCIES, default: 'NGN' })
  @IsOptional()
  @IsIn(SUPPORTED_CURRENCIES, { message: `currency must be one of ${SUPPORTED_CURRENCIES.join(', ')}` })
  currency?: (typeof SUPPORTED_CURRENCIES)[number];

  @ApiProperty({ ...INTEGER, example: 6, minimum: 1, maximum: 120 })
  @IsInt({ message: 'tenorMonths must be an integer' })
  @Min(1)
  @Max(120)
  tenorMonths!: number;

  @ApiPropertyOptional({ example: 'Working capital for my shop', maxLength: 500 })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsOptional()
  @IsString()
  @MaxLength(500)
  purpose?: string;
}
