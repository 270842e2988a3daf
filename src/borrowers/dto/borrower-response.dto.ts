import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { BankAccountEntity } from '../../accounts/bank-account.entity.js';
import type { AccountCoverage } from '../../common/domain/account.js';
import type { BorrowerEntity } from '../borrower.entity.js';
import { DATE, DATE_TIME, INTEGER, UUID } from '../../common/http/openapi-types.js';

/** "22212345678" → "*******5678": only the last four characters survive. */
export function maskTail(value: string | null, visible = 4): string | null {
  if (value === null || value === '') return null;
  const keep = Math.min(visible, Math.max(0, value.length - 4));
  return '*'.repeat(value.length - keep) + value.slice(value.length - keep);
}

export class AccountCoverageDto {
  @ApiProperty({ ...INTEGER, example: 214 }) transactionCount!: number;
  @ApiProperty({ ...DATE, example: '2025-11-01', nullable: true }) firstDate!: string | null;
  @ApiProperty({ ...DATE, example: '2026-05-19', nullable: true }) lastDate!: string | null;
  @ApiProperty({ ...INTEGER, example: 6 }) completeMonths!: number;
  @ApiProperty({ ...INTEGER, example: 9 }) longestGapDays!: number;
  @ApiProperty({ example: 4, nullable: true, type: Number }) freshnessHours!: number | null;
}

export class BorrowerAccountDto {
  @ApiProperty({ ...UUID, example: '8d3f8c1e-2b6a-4c1f-9a55-0c9f2f1d7e10' }) id!: string;
  @ApiProperty({ example: '65f1c0ffee0000000000abcd' }) monoAccountId!: string;
  @ApiProperty({ example: 'GTBank', nullable: true, type: String }) institution!: string | null;
  @ApiProperty({ example: 'AVAILABLE', enum: ['PROCESSING', 'AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED'] }) dataStatus!: string;
  @ApiProperty({ ...DATE_TIME, example: '2026-05-20T08:30:00.000Z', nullable: true }) lastSyncedAt!: string | null;
  @ApiProperty({ example: false }) reauthRequired!: boolean;
  @ApiProperty({ type: AccountCoverageDto, nullable: true }) coverage!: AccountCoverageDto | null;

  static from(a: BankAccountEntity): BorrowerAccountDto {
    return {
      id: a.id,
      monoAccountId: a.monoAccountId,
      institution: a.institutionName,
      dataStatus: a.dataStatus,
      lastSyncedAt: a.lastSyncedAt?.toISOString() ?? null,
      reauthRequired: a.reauthRequired,
      coverage: a.coverage ? coverageDto(a.coverage) : null,
    };
  }
}

function coverageDto(c: AccountCoverage): AccountCoverageDto {
  return {
    transactionCount: c.transactionCount,
    firstDate: c.firstDate,
    lastDate: c.lastDate,
    completeMonths: c.completeMonths,
    longestGapDays: c.longestGapDays,
    freshnessHours: c.freshnessHours,
  };
}

export class BorrowerResponseDto {
  @ApiProperty({ ...UUID, example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' }) id!: string;
  @ApiProperty({ example: 'los-cust-000123' }) externalId!: string;
  @ApiProperty({ example: 'Adaeze Okafor' }) fullName!: string;
  @ApiProperty({ example: 'adaeze.okafor@example.com' }) email!: string;
  @ApiPropertyOptional({ example: '**********4567', nullable: true, type: String, description: 'Masked' }) phone!: string | null;
  @ApiPropertyOptional({ example: '*******5678', nullable: true, type: String, description: 'Masked' }) bvn!: string | null;
  @ApiProperty({ type: [BorrowerAccountDto] }) accounts!: BorrowerAccountDto[];
  @ApiProperty({ ...DATE_TIME, example: '2026-05-20T08:00:00.000Z' }) createdAt!: string;

  static from(b: BorrowerEntity, accounts: BankAccountEntity[]): BorrowerResponseDto {
    return {
      id: b.id,
      externalId: b.externalId,
      fullName: b.fullName,
      email: b.email,
      phone: maskTail(b.phone),
      bvn: maskTail(b.bvn),
      accounts: accounts.map((a) => BorrowerAccountDto.from(a)),
      createdAt: b.createdAt.toISOString(),
    };
  }
}
