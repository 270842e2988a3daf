import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { StrictInt } from '../../common/http/strict-int.js';
import { maskNumbersInText } from '../../common/mask-numbers.js';
import { PAYMENT_RAILS, TRANSACTION_CATEGORIES, type TransactionCategory } from '../../common/domain/transaction.js';
import type { TransactionListItem } from '../../ingestion/transaction-row.js';
import { DATE, DATE_TIME, INTEGER, KOBO, UUID } from '../../common/http/openapi-types.js';

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export class TransactionsQueryDto {
  @ApiPropertyOptional({ ...DATE, example: '2026-01-01', description: 'Inclusive Lagos business date YYYY-MM-DD' })
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'from must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'from must be a valid date' })
  from?: string;

  @ApiPropertyOptional({ ...DATE, example: '2026-03-31', description: 'Inclusive Lagos business date YYYY-MM-DD' })
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'to must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'to must be a valid date' })
  to?: string;

  @ApiPropertyOptional({ example: 'salary', enum: TRANSACTION_CATEGORIES })
  @IsOptional()
  @IsIn(TRANSACTION_CATEGORIES, { message: `category must be one of ${TRANSACTION_CATEGORIES.join(', ')}` })
  category?: TransactionCategory;

  @ApiPropertyOptional({ ...INTEGER, example: 100, minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @StrictInt()
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({
    example: 'WyIyMDI2LTAzLTAxIiwiMjAyNi0wMy0wMVQwOTowMDowMC4wMDBaIiwiLi4uIl0',
    description: 'nextCursor of the previous page',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class TransactionItemDto {
  @ApiProperty({ ...UUID, example: '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6' }) id!: string;
  @ApiProperty({ ...UUID, example: '8d3f8c1e-2b6a-4c1f-9a55-0c9f2f1d7e10' }) accountId!: string;
  @ApiProperty({ ...DATE, example: '2026-02-27', description: 'Lagos business date' }) date!: string;
  @ApiProperty({ ...DATE_TIME, example: '2026-02-27T09:14:00.000Z' }) postedAt!: string;
  @ApiProperty({ example: 'credit', enum: ['credit', 'debit'] }) direction!: string;
  @ApiProperty({ ...KOBO, example: 45000000, description: 'Integer kobo (₦450,000.00)' }) amount!: number;
  @ApiProperty({ ...KOBO, example: 61234500, nullable: true, description: 'Running balance after the transaction, kobo' }) balance!:
    number | null;
  @ApiProperty({ example: 'NGN' }) currency!: string;
  @ApiProperty({
    example: 'NIP/ACME LTD/SALARY FEB 2026',
    description: 'As the bank printed it, with account, phone and card numbers masked to their last 4 digits',
  })
  narration!: string;
  @ApiProperty({ example: 'NIP', enum: PAYMENT_RAILS }) rail!: string;
  @ApiProperty({ example: 'ACME LTD', nullable: true, type: String }) counterparty!: string | null;
  @ApiProperty({ example: 'SALARY FEB 2026', nullable: true, type: String }) memo!: string | null;
  @ApiProperty({ example: 'salary', enum: TRANSACTION_CATEGORIES }) category!: string;
  @ApiProperty({ example: 'rule', enum: ['rule', 'analyst'] }) categorySource!: string;

  static from(t: TransactionListItem): TransactionItemDto {
    return {
      id: t.id,
      accountId: t.accountId,
      date: t.date,
      postedAt: t.postedAt,
      direction: t.direction,
      amount: t.amountMinor,
      balance: t.balanceMinor,
      currency: t.currency,
      narration: maskNumbersInText(t.narration),
      rail: t.rail,
      counterparty: t.counterparty,
      memo: t.memo,
      category: t.category,
      categorySource: t.categorySource,
    };
  }
}

export class TransactionPageDto {
  @ApiProperty({ type: [TransactionItemDto] }) items!: TransactionItemDto[];
  @ApiProperty({ example: null, nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor!: string | null;
  @ApiProperty({ ...INTEGER, example: 412, description: 'Transactions matching the filters in all pages' }) total!: number;
}
