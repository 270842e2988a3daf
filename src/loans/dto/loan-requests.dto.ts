import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DATE, DATE_TIME, INTEGER, KOBO, UUID } from '../../common/http/openapi-types.js';

export const LOAN_CURRENCIES = ['NGN'] as const;
export const LOAN_EVENT_TYPES = ['write_off', 'restructure', 'close', 'reverse_repayment'] as const;
export type LoanEventType = (typeof LOAN_EVENT_TYPES)[number];

const RATE_RE = /^(0(\.\d{1,8})?|1(\.0{1,8})?)$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const REFERENCE_RE = /^[\x21-\x7e]{1,128}$/;

export class ScheduleItemDto {
  @ApiProperty({ ...DATE, example: '2026-05-10', description: 'Due date (yyyy-MM-dd), after the disbursement date' })
  @Matches(DATE_RE, { message: 'dueDate must be a date yyyy-MM-dd' })
  @IsISO8601({ strict: true }, { message: 'dueDate must be a valid date' })
  dueDate!: string;

  @ApiProperty({ ...KOBO, example: 1836043, description: 'Amount due on that date, kobo (principal first, the rest is interest)' })
  @IsInt({ message: 'amountMinor must be an integer number of kobo' })
  @Min(1, { message: 'amountMinor must be positive' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'amountMinor exceeds the safe integer range' })
  amountMinor!: number;
}

export class CreateLoanDto {
  @ApiProperty({ ...UUID, example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' })
  @IsUUID('all', { message: 'borrowerId must be a UUID' })
  borrowerId!: string;

  @ApiPropertyOptional({
    ...UUID,
    example: 'c2f8d4a1-7b3e-4f6a-9d0c-1e2f3a4b5c6d',
    description: 'The application this loan disburses: its decision must allow the amount (≤ the approved amount or counter-offer)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'applicationId must be a UUID' })
  applicationId?: string;

  @ApiProperty({ ...KOBO, example: 5000000, description: 'Principal disbursed, kobo (₦50,000.00 = 5000000)', minimum: 1 })
  @IsInt({ message: 'principalMinor must be an integer number of kobo' })
  @Min(1, { message: 'principalMinor must be positive' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'principalMinor exceeds the safe integer range' })
  principalMinor!: number;

  @ApiProperty({ example: 'NGN', enum: LOAN_CURRENCIES })
  @IsIn(LOAN_CURRENCIES, { message: `currency must be one of ${LOAN_CURRENCIES.join(', ')}` })
  currency!: (typeof LOAN_CURRENCIES)[number];

  @ApiProperty({
    ...DATE_TIME,
    example: '2026-04-10T09:00:00Z',
    description: 'When the money left the lender (ISO 8601), not in the future',
  })
  @IsISO8601({ strict: true }, { message: 'disbursedAt must be an ISO 8601 date-time' })
  disbursedAt!: string;

  @ApiProperty({ ...INTEGER, example: 3, minimum: 1, maximum: 120 })
  @IsInt({ message: 'tenorMonths must be an integer' })
  @Min(1)
  @Max(120)
  tenorMonths!: number;

  @ApiPropertyOptional({
    example: '0.05',
    description: 'Monthly rate as a decimal string (0–1); the product rate when neither it nor a schedule is given. Not with `schedule`.',
  })
  @IsOptional()
  @IsString()
  @Matches(RATE_RE, { message: 'monthlyRate must be a decimal string between 0 and 1 with at most 8 decimals' })
  monthlyRate?: string;

  @ApiPropertyOptional({
    type: [ScheduleItemDto],
    description: 'An explicit schedule instead of the amortised one; amounts must total at least the principal',
    example: [
      { dueDate: '2026-05-10', amountMinor: 2600000 },
      { dueDate: '2026-06-10', amountMinor: 2600000 },
    ],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(360)
  @ValidateNested({ each: true })
  @Type(() => ScheduleItemDto)
  schedule?: ScheduleItemDto[];
}

export class CreateRepaymentDto {
  @ApiProperty({ ...KOBO, example: 1836043, description: 'Amount received, kobo; more than the loan owes is 422' })
  @IsInt({ message: 'amountMinor must be an integer number of kobo' })
  @Min(1, { message: 'amountMinor must be positive' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'amountMinor exceeds the safe integer range' })
  amountMinor!: number;

  @ApiProperty({
    ...DATE_TIME,
    example: '2026-05-09T14:30:00Z',
    description: 'When the money was received (ISO 8601), not before disbursement nor in the future',
  })
  @IsISO8601({ strict: true }, { message: 'paidAt must be an ISO 8601 date-time' })
  paidAt!: string;

  @ApiProperty({
    example: 'RPY-2026-05-000123',
    description: "The lender's unique reference (1–128 printable ASCII): a replay returns the same result",
  })
  @Matches(REFERENCE_RE, { message: 'reference must be 1–128 printable ASCII characters without spaces' })
  reference!: string;
}

export class LoanEventDto {
  @ApiProperty({ example: 'write_off', enum: LOAN_EVENT_TYPES })
  @IsIn(LOAN_EVENT_TYPES, { message: `type must be one of ${LOAN_EVENT_TYPES.join(', ')}` })
  type!: LoanEventType;

  @ApiPropertyOptional({ example: 'Borrower unreachable for 120 days', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({ example: 'RPY-2026-05-000123', description: 'reverse_repayment: the reference of the repayment to reverse' })
  @ValidateIf((o: LoanEventDto) => o.type === 'reverse_repayment')
  @Matches(REFERENCE_RE, { message: 'reference must be 1–128 printable ASCII characters without spaces' })
  reference?: string;

  @ApiPropertyOptional({ example: '0.04', description: 'restructure: monthly rate of the new amortised schedule (with tenorMonths)' })
  @IsOptional()
  @IsString()
  @Matches(RATE_RE, { message: 'monthlyRate must be a decimal string between 0 and 1 with at most 8 decimals' })
  monthlyRate?: string;

  @ApiPropertyOptional({ ...INTEGER, example: 6, description: 'restructure: tenor of the new amortised schedule, counted from now' })
  @IsOptional()
  @IsInt({ message: 'tenorMonths must be an integer' })
  @Min(1)
  @Max(120)
  tenorMonths?: number;

  @ApiPropertyOptional({
    type: [ScheduleItemDto],
    description: 'restructure: an explicit new schedule for the outstanding principal (instead of monthlyRate + tenorMonths)',
    example: [{ dueDate: '2026-09-10', amountMinor: 3000000 }],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(360)
  @ValidateNested({ each: true })
  @Type(() => ScheduleItemDto)
  schedule?: ScheduleItemDto[];
}
