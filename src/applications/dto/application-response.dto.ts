import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DecisionResponseDto } from '../../scoring/dto/decision-response.dto.js';
import type { DecisionEntity } from '../../scoring/entities/decision.entity.js';
import { ACCOUNT_SYNC_STATUSES } from '../application-account.entity.js';
import { APPLICATION_STATUSES } from '../application-status.js';
import type { LoanApplicationEntity } from '../loan-application.entity.js';
import { DATE_TIME, INTEGER, KOBO, UUID } from '../../common/http/openapi-types.js';

export class ApplicationAcceptedDto {
  @ApiProperty({ ...UUID, example: 'c2f8d4a1-7b3e-4f6a-9d0c-1e2f3a4b5c6d' }) id!: string;
  @ApiProperty({ example: 'received', enum: APPLICATION_STATUSES }) status!: string;
}

export class ApplicationAccountDto {
  @ApiProperty({ ...UUID, example: '8d3f8c1e-2b6a-4c1f-9a55-0c9f2f1d7e10' }) id!: string;
  @ApiProperty({
    example: 'syncing',
    enum: ['pending', ...ACCOUNT_SYNC_STATUSES],
    description:
      'pending (not examined yet), not_needed, awaiting_data (first ingestion), syncing, fresh, reauth_required, failed, timed_out',
  })
  syncStatus!: string;
  @ApiProperty({ example: false }) reauthRequired!: boolean;
}

export class ApplicationResponseDto {
  @ApiProperty({ ...UUID, example: 'c2f8d4a1-7b3e-4f6a-9d0c-1e2f3a4b5c6d' }) id!: string;
  @ApiProperty({ example: 'decided', enum: APPLICATION_STATUSES }) status!: string;
  @ApiProperty({ example: 'scored', nullable: true, type: String, description: 'Why the application is in its status' }) statusReason!:
    string | null;
  @ApiProperty({ ...UUID, example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' }) borrowerId!: string;
  @ApiProperty({ ...KOBO, example: 25000000, description: 'kobo' }) amount!: number;
  @ApiProperty({ example: 'NGN' }) currency!: string;
  @ApiProperty({ ...INTEGER, example: 6 }) tenorMonths!: number;
  @ApiPropertyOptional({ example: 'Working capital', nullable: true, type: String }) purpose!: string | null;
  @ApiProperty({ type: [ApplicationAccountDto] }) accounts!: ApplicationAccountDto[];
  @ApiProperty({ example: false, description: 'Decided on cached data because fresh data did not arrive in time' }) staleData!: boolean;
  @ApiProperty({ ...DATE_TIME, example: '2026-03-20T09:05:00.000Z', nullable: true }) syncDeadlineAt!: string | null;
  @ApiPropertyOptional({ type: DecisionResponseDto }) decision?: DecisionResponseDto;
  @ApiProperty({ ...DATE_TIME, example: '2026-03-20T09:00:00.000Z' }) createdAt!: string;
  @ApiProperty({ ...DATE_TIME, example: '2026-03-20T09:00:02.000Z' }) updatedAt!: string;

  static from(
    a: Omit<LoanApplicationEntity, 'apiKeyId' | 'idempotencyKey' | 'requestHash' | 'attempts' | 'lastError'>,
    accounts: ApplicationAccountDto[],
    decision: DecisionEntity | null,
  ): ApplicationResponseDto {
    return {
      id: a.id,
      status: a.status,
      statusReason: a.statusReason,
      borrowerId: a.borrowerId,
      amount: a.amountMinor,
      currency: a.currency,
      tenorMonths: a.tenorMonths,
      purpose: a.purpose,
      accounts,
      staleData: a.staleData,
      syncDeadlineAt: a.syncDeadlineAt?.toISOString() ?? null,
      ...(decision ? { decision: DecisionResponseDto.from(decision) } : {}),
      createdAt: a.createdAt.toISOString(),
      updatedAt: a.updatedAt.toISOString(),
    };
  }
}
