import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { StrictInt } from '../../common/http/strict-int.js';
import { TRANSACTION_CATEGORIES } from '../../common/domain/transaction.js';
import { DATE } from '../../common/http/openapi-types.js';

export const BORROWER_REPORT_FORMATS = ['json', 'html', 'pdf', 'csv', 'xlsx'] as const;
export const PORTFOLIO_FORMATS = ['json', 'html', 'csv'] as const;

export class BorrowerReportQueryDto {
  @ApiPropertyOptional({ description: 'A past decision of the borrower (default: the latest)', format: 'uuid' })
  @IsOptional()
  @IsUUID()
  decisionId?: string;

  @ApiPropertyOptional({
    enum: BORROWER_REPORT_FORMATS,
    description: '`csv` returns the borrower’s transactions; `xlsx` the report as an Excel workbook',
  })
  @IsOptional()
  @IsIn(BORROWER_REPORT_FORMATS)
  format?: (typeof BORROWER_REPORT_FORMATS)[number];
}

export class PortfolioQueryDto {
  @ApiPropertyOptional({ ...DATE, description: 'First Lagos calendar day (default: 90 days before `to`)', example: '2026-08-01' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'from must be a valid date' })
  from?: string;

  @ApiPropertyOptional({ ...DATE, description: 'Last Lagos calendar day, inclusive (default: today)', example: '2026-10-31' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'to must be a valid date' })
  to?: string;

  @ApiPropertyOptional({ enum: PORTFOLIO_FORMATS })
  @IsOptional()
  @IsIn(PORTFOLIO_FORMATS)
  format?: (typeof PORTFOLIO_FORMATS)[number];
}

export class BorrowerListQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @IsOptional()
  @StrictInt()
  @IsInt()
  @Min(1)
  @Max(100000)
  page?: number;
}

export class AnalystBorrowerQueryDto {
  @IsOptional()
  @IsUUID()
  decisionId?: string;

  /** A short message shown after an override (from a redirect). */
  @IsOptional()
  @IsIn(['recategorised', 'not_income', 'note'])
  done?: string;
}

export class DrillDownQueryDto {
  @IsOptional() @IsUUID() decisionId?: string;
  @IsOptional() @Matches(/^\d{4}-(0[1-9]|1[0-2])$/) month?: string;
  @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) @IsISO8601({ strict: true }) date?: string;
  @IsOptional() @IsString() @MaxLength(64) stream?: string;
  @IsOptional() @IsString() @MaxLength(256) lender?: string;
  @IsOptional() @IsString() @MaxLength(128) feature?: string;
  @IsOptional() @IsIn(TRANSACTION_CATEGORIES) category?: string;
  @IsOptional() @IsString() @MaxLength(40000) ids?: string;
}

export class LoginFormDto {
  @IsString()
  @MaxLength(512)
  apiKey!: string;
}

export class CsrfFormDto {
  @IsString()
  @MaxLength(128)
  csrf!: string;
}

export class RecategoriseFormDto extends CsrfFormDto {
  @IsIn(TRANSACTION_CATEGORIES)
  category!: (typeof TRANSACTION_CATEGORIES)[number];

  @IsString()
  @MaxLength(500)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

export const NOT_INCOME_KINDS = ['other_non_income', 'self_transfer', 'loan', 'reversal'] as const;
export type NotIncomeKind = (typeof NOT_INCOME_KINDS)[number];

export class NotIncomeFormDto extends CsrfFormDto {
  @IsUUID()
  decisionId!: string;

  @IsOptional()
  @IsIn(NOT_INCOME_KINDS)
  kind?: NotIncomeKind;

  @IsString()
  @MaxLength(500)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

export class NoteFormDto extends CsrfFormDto {
  @IsString()
  @MaxLength(4000, { message: 'body must be at most 4000 characters' })
  @Matches(/\S/, { message: 'body must not be blank' })
  body!: string;
}
