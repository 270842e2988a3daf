import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LOAN_STATUSES } from '../loan-status.js';
import { DATE, DATE_TIME, INTEGER, KOBO, UUID } from '../../common/http/openapi-types.js';

export class AllocationLineDto {
  @ApiProperty({ ...INTEGER, example: 1 }) seq!: number;
  @ApiProperty({ ...KOBO, example: 250000, description: 'Interest paid on this instalment, kobo' }) interestMinor!: number;
  @ApiProperty({ ...KOBO, example: 1586043, description: 'Principal paid on this instalment, kobo' }) principalMinor!: number;
}

export class InstalmentDto {
  @ApiProperty({ ...INTEGER, example: 1 }) seq!: number;
  @ApiProperty({ ...DATE, example: '2026-05-10' }) dueDate!: string;
  @ApiProperty({ ...KOBO, example: 1586043 }) principalMinor!: number;
  @ApiProperty({ ...KOBO, example: 250000 }) interestMinor!: number;
  @ApiProperty({ ...KOBO, example: 1836043 }) amountDueMinor!: number;
  @ApiProperty({ ...KOBO, example: 1586043 }) paidPrincipalMinor!: number;
  @ApiProperty({ ...KOBO, example: 250000 }) paidInterestMinor!: number;
  @ApiProperty({ ...KOBO, example: 1836043 }) paidMinor!: number;
  @ApiProperty({ ...KOBO, example: 0 }) outstandingMinor!: number;
  @ApiProperty({ example: 'paid', enum: ['paid', 'partly_paid', 'due', 'overdue', 'upcoming'] }) state!: string;
}

export class RepaymentDto {
  @ApiProperty({ ...UUID, example: '5d1e7a2c-0b3f-4c8e-9a6d-2f1e0c9b8a7d' }) id!: string;
  @ApiProperty({ ...UUID, example: 'a4b3c2d1-0e9f-4a8b-b7c6-d5e4f3a2b1c0' }) loanId!: string;
  @ApiProperty({ example: 'RPY-2026-05-000123' }) reference!: string;
  @ApiProperty({ ...KOBO, example: 1836043 }) amountMinor!: number;
  @ApiProperty({ ...DATE_TIME, example: '2026-05-09T14:30:00.000Z' }) paidAt!: string;
  @ApiProperty({ type: [AllocationLineDto], description: 'Oldest instalment first, interest before principal' })
  allocation!: AllocationLineDto[];
  @ApiProperty({ ...KOBO, example: 3413957, description: 'Outstanding principal right after this repayment, kobo' })
  outstandingPrincipalAfterMinor!: number;
  @ApiPropertyOptional({ ...DATE_TIME, example: null, nullable: true }) reversedAt!: string | null;
}

export class LoanEventViewDto {
  @ApiProperty({
    example: 'repayment',
    description: 'disbursed, repayment, repayment_reversed, restructured, written_off, closed, status_changed, overdue',
  })
  type!: string;
  @ApiProperty({ example: '2026-05-09T14:30:00.000Z' }) at!: string;
  @ApiProperty({ example: { reference: 'RPY-2026-05-000123', amountMinor: 1836043 } }) payload!: Record<string, unknown>;
  @ApiProperty({ example: 'api-key:9b1d…' }) actor!: string;
}

export class LoanResponseDto {
  @ApiProperty({ ...UUID, example: 'a4b3c2d1-0e9f-4a8b-b7c6-d5e4f3a2b1c0' }) id!: string;
  @ApiProperty({ ...UUID, example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' }) borrowerId!: string;
  @ApiPropertyOptional({ ...UUID, example: 'c2f8d4a1-7b3e-4f6a-9d0c-1e2f3a4b5c6d', nullable: true }) applicationId!: string | null;
  @ApiPropertyOptional({
    ...UUID,
    example: 'a6b9e2f0-1c3d-4e5f-8a7b-9c0d1e2f3a4b',
    nullable: true,
    description: 'The decision that allowed it',
  })
  decisionId!: string | null;
  @ApiProperty({ ...KOBO, example: 5000000 }) principalMinor!: number;
  @ApiProperty({ example: 'NGN' }) currency!: string;
  @ApiProperty({ ...DATE_TIME, example: '2026-04-10T09:00:00.000Z' }) disbursedAt!: string;
  @ApiProperty({ ...INTEGER, example: 3 }) tenorMonths!: number;
  @ApiProperty({ example: '0.05', nullable: true, type: String, description: 'Monthly rate as a decimal string (null for an explicit schedule)' }) monthlyRate!: string | null;
  @ApiProperty({ example: 'amortised', enum: ['amortised', 'explicit'] }) scheduleKind!: string;
  @ApiProperty({ example: 'late', enum: LOAN_STATUSES }) status!: string;
  @ApiProperty({ ...INTEGER, example: 12, description: 'Days since the oldest due and unpaid instalment, at asOf' }) daysPastDue!: number;
  @ApiProperty({ ...KOBO, example: 3413957 }) outstandingPrincipalMinor!: number;
  @ApiProperty({ ...KOBO, example: 3672086, description: 'Principal and interest still owed' }) outstandingMinor!: number;
  @ApiProperty({ ...KOBO, example: 1836043 }) paidMinor!: number;
  @ApiProperty({ ...DATE_TIME, example: '2026-05-22T08:00:00.000Z', description: 'The engine clock the figures are computed at' })
  asOf!: string;
  @ApiPropertyOptional({ ...DATE_TIME, example: null, nullable: true }) restructuredAt!: string | null;
  @ApiPropertyOptional({ ...DATE_TIME, example: null, nullable: true }) closedAt!: string | null;
  @ApiPropertyOptional({ ...DATE_TIME, example: null, nullable: true }) writtenOffAt!: string | null;
  @ApiProperty({ ...DATE_TIME, example: '2026-04-10T09:00:01.000Z' }) createdAt!: string;
  @ApiProperty({ type: [InstalmentDto] }) schedule!: InstalmentDto[];
  @ApiProperty({ type: [RepaymentDto] }) repayments!: RepaymentDto[];
  @ApiProperty({ type: [LoanEventViewDto], description: 'History, oldest first' }) history!: LoanEventViewDto[];
}

export class BorrowerLoansResponseDto {
  @ApiProperty({ ...UUID, example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' }) borrowerId!: string;
  @ApiProperty({ ...INTEGER, example: 1, description: 'Loans current, late or defaulted' }) openLoans!: number;
  @ApiProperty({ ...KOBO, example: 3413957, description: 'Outstanding principal across the open loans (the exposure decisions use)' })
  outstandingPrincipalMinor!: number;
  @ApiProperty({ type: [LoanResponseDto], description: 'Newest disbursement first' }) items!: LoanResponseDto[];
}
