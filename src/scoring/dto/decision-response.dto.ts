import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { StrictInt } from '../../common/http/strict-int.js';
import { DECISION_OUTCOMES, decisionContract, type DecisionContract } from '../decision-contract.js';
import type { DecisionEntity } from '../entities/decision.entity.js';
import { DATE, DATE_TIME, INTEGER, KOBO, UUID } from '../../common/http/openapi-types.js';

export class ReasonDto {
  @ApiProperty({ example: 'EXISTING_LOAN_OBLIGATIONS_HIGH' }) code!: string;
  @ApiProperty({ example: 'Existing loan repayments take 28% of verified income.' }) message!: string;
  @ApiProperty({ example: 'limit', enum: ['blocking', 'review', 'limit', 'info'] }) severity!: string;
  @ApiProperty({ example: { obligationsMinor: 8400000, dsr: '0.28' } }) values!: Record<string, string | number | boolean | null>;
  @ApiPropertyOptional({
    example: { message: 'Limit would be ₦150,000.00 higher if existing loan repayments were below ₦50,000.00', limitDeltaMinor: 15000000 },
  })
  counterfactual?: { message: string; limitDeltaMinor: number };
}

export class CounterOfferDto {
  @ApiProperty({ example: 30000000, description: 'kobo', type: 'integer', format: 'int64' }) amount!: number;
  @ApiProperty({ example: 6, type: 'integer' }) tenorMonths!: number;
  @ApiProperty({ example: 5722857, description: 'kobo', type: 'integer', format: 'int64' }) instalment!: number;
}

const kobo = (description: string, example: number) =>
  ({ description: `${description}, kobo`, example, type: 'integer', format: 'int64' }) as const;

export class OfferDto {
  @ApiProperty(kobo('Amount to lend', 15000000)) amountMinor!: number;
  @ApiProperty({ example: 6, type: 'integer' }) tenorMonths!: number;
  @ApiProperty({ example: '0.04', description: 'Monthly interest rate on the reducing balance (decimal string)' }) monthlyRate!: string;
  @ApiProperty(kobo('Level monthly instalment of the schedule POST /v1/loans books for these terms (the last may be lower)', 2861621))
  instalmentMinor!: number;
  @ApiProperty(kobo('Sum of every instalment', 17169722)) totalRepayableMinor!: number;
  @ApiProperty(kobo('Total interest', 2169722)) totalInterestMinor!: number;
  @ApiProperty({ example: '0.48', description: 'Nominal annual rate: monthly rate × 12 (no fees are modelled), decimal string' })
  apr!: string;
  @ApiProperty({ example: '0.601032', description: '(1 + monthly rate)^12 − 1, decimal string' }) effectiveAnnualRate!: string;
}

export class RequestedTermsDto {
  @ApiProperty(kobo('Amount asked for', 20000000)) amountMinor!: number;
  @ApiProperty({ example: 6, type: 'integer' }) tenorMonths!: number;
  @ApiProperty(kobo('Instalment of the request at the product rate', 3815238)) instalmentMinor!: number;
  @ApiProperty({ example: false, description: 'The affordability test alone; act on `outcome`' }) affordable!: boolean;
}

export class LimitDto {
  @ApiProperty(kobo('Ceiling for future applications', 15500000)) amountMinor!: number;
  @ApiProperty({ example: 6, type: 'integer' }) tenorMonths!: number;
  @ApiProperty(kobo('Instalment of the limit', 2957123)) instalmentMinor!: number;
  @ApiProperty(kobo("What the lender's open loans leave of it", 15500000)) availableMinor!: number;
}

export class IncomeStreamSummaryDto {
  @ApiProperty({ example: 'ACME LTD salary' }) label!: string;
  @ApiProperty({ example: 'monthly' }) frequency!: string;
  @ApiProperty({ ...KOBO, example: 45000000, description: 'Conservative monthly amount, kobo' }) monthlyAmount!: number;
  @ApiProperty({ example: '0.92' }) confidence!: string;
  @ApiProperty({ example: 'ACTIVE' }) status!: string;
  @ApiProperty({ example: true }) isSalary!: boolean;
  @ApiProperty({ ...DATE, example: '2026-03-27', nullable: true }) predictedNextDate!: string | null;
  @ApiProperty({ example: ['0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6'], description: 'The transactions behind the stream' })
  transactionIds!: string[];
}

export class IncomeSummaryDto {
  @ApiProperty({ ...KOBO, example: 45000000, description: 'Verified monthly income, kobo' }) monthlyEstimate!: number;
  @ApiProperty({ ...KOBO, example: 45000000 }) regularMonthly!: number;
  @ApiProperty({ ...KOBO, example: 0 }) irregularMonthly!: number;
  @ApiProperty({ type: [IncomeStreamSummaryDto] }) streams!: IncomeStreamSummaryDto[];
}

export class LenderObligationDto {
  @ApiProperty({ example: 'CARBON' }) lender!: string;
  @ApiProperty({ ...KOBO, example: 4200000, description: 'kobo' }) monthlyAmount!: number;
}

export class ObligationsSummaryDto {
  @ApiProperty({ ...KOBO, example: 8400000, description: 'Monthly repayments to other lenders, kobo' }) monthlyTotal!: number;
  @ApiProperty({ ...INTEGER, example: 2 }) lenderCount!: number;
  @ApiProperty({ type: [LenderObligationDto] }) lenders!: LenderObligationDto[];
  @ApiProperty({ ...INTEGER, example: 1 }) disbursementsLast30d!: number;
}

export class CoverageSummaryDto {
  @ApiProperty({ ...INTEGER, example: 6, description: 'Complete calendar months of history' }) months!: number;
  @ApiProperty({ ...DATE, example: '2025-09-01', nullable: true }) firstDate!: string | null;
  @ApiProperty({ ...DATE, example: '2026-03-19', nullable: true }) lastDate!: string | null;
  @ApiProperty({ ...INTEGER, example: 1 }) accounts!: number;
  @ApiProperty({ ...INTEGER, example: 412 }) transactionCount!: number;
}

export class DecisionResponseDto {
  @ApiProperty({ ...UUID, example: 'a6b9e2f0-1c3d-4e5f-8a7b-9c0d1e2f3a4b' }) id!: string;
  @ApiProperty({
    example: 'approved_lower',
    enum: DECISION_OUTCOMES,
    description:
      'What to show the borrower (contract v2, docs/api.md "Decision contract"): approved — the request as asked; approved_lower — less, at the tenor asked; counter_offer — another tenor; referred — an analyst decides, nothing offered yet; declined — no offer, no limit',
  })
  outcome!: string;
  @ApiProperty({
    type: OfferDto,
    nullable: true,
    description: 'The loan that can be booked; present only when something can be offered on a request',
  })
  offer!: OfferDto | null;
  @ApiProperty({ type: RequestedTermsDto, nullable: true, description: 'What the application asked for (null without a request)' })
  requested!: RequestedTermsDto | null;
  @ApiProperty({ type: LimitDto, nullable: true, description: 'Approved decisions only: the ceiling for future applications' })
  limit!: LimitDto | null;
  @ApiProperty({ example: 'approve', enum: ['approve', 'decline', 'refer'], description: 'The engine decision (v1); show `outcome`' })
  decision!: string;
  @ApiProperty({
    ...kobo(
      "Computed limit (v1, the analyst's figure: present on declines and referrals too); deprecated for display — use limit/offer",
      30000000,
    ),
    deprecated: true,
  })
  recommendedLimit!: number;
  @ApiProperty({
    ...kobo('Monthly instalment of the computed limit (v1); deprecated — use offer.instalmentMinor', 5722857),
    deprecated: true,
  })
  instalment!: number;
  @ApiProperty({ example: 'NGN' }) currency!: string;
  @ApiProperty({
    example: 'dsr',
    enum: ['dsr', 'free_cash_flow', 'product_max', 'income_multiple', 'coverage', 'stale_data', 'risk', 'graduation', 'none'],
  })
  bindingConstraint!: string;
  @ApiPropertyOptional({ type: CounterOfferDto, nullable: true, deprecated: true, description: 'v1; deprecated — use outcome and offer' })
  counterOffer!: CounterOfferDto | null;
  @ApiProperty({ type: [ReasonDto], description: 'Ranked, at most about four' }) reasons!: ReasonDto[];
  @ApiProperty({ example: ['existing_loans'] }) flags!: string[];
  @ApiProperty({ type: IncomeSummaryDto }) income!: IncomeSummaryDto;
  @ApiProperty({ type: ObligationsSummaryDto }) obligations!: ObligationsSummaryDto;
  @ApiProperty({ type: CoverageSummaryDto }) coverage!: CoverageSummaryDto;
  @ApiProperty({ example: '0.3121', nullable: true, type: String, description: 'Debt service ratio after the loan' }) postLoanDsr!:
    string | null;
  @ApiProperty({ example: '2026-03-20T08:59:12.000Z', description: 'Freshness of the bank data the decision used' }) dataAsOf!: string;
  @ApiProperty({ example: 'default@1.0.0+3b1f0c2d9e8a' }) policyVersion!: string;
  @ApiProperty({ example: '1.0.0' }) engineVersion!: string;
  @ApiProperty({ example: '5e2c…', description: 'sha256 of the engine input (replayable)' }) inputsHash!: string;
  @ApiProperty({ example: 'application', enum: ['application', 'scheduled', 'event', 'manual', 'override'] }) trigger!: string;
  @ApiProperty({ ...UUID, example: 'c2f8d4a1-7b3e-4f6a-9d0c-1e2f3a4b5c6d', nullable: true }) applicationId!: string | null;
  @ApiProperty({ ...DATE_TIME, example: '2026-03-20T09:00:02.000Z' }) createdAt!: string;

  static from(d: DecisionEntity): DecisionResponseDto {
    const contract: DecisionContract = decisionContract({
      decision: d.decision,
      recommendedLimitMinor: d.recommendedLimitMinor,
      instalmentMinor: d.instalmentMinor,
      counterOffer: d.counterOffer,
      requestedAmountMinor: d.requestedAmountMinor,
      requestedTenorMonths: d.requestedTenorMonths,
      limit: d.result?.limit,
    });
    return {
      id: d.id,
      outcome: contract.outcome,
      offer: contract.offer,
      requested: contract.requested,
      limit: contract.limit,
      decision: d.decision,
      recommendedLimit: d.recommendedLimitMinor,
      instalment: d.instalmentMinor,
      currency: d.currency,
      bindingConstraint: d.bindingConstraint,
      counterOffer: d.counterOffer
        ? { amount: d.counterOffer.amountMinor, tenorMonths: d.counterOffer.tenorMonths, instalment: d.counterOffer.instalmentMinor }
        : null,
      reasons: d.reasons.map((r) => ({
        code: r.code,
        message: r.message,
        severity: r.severity,
        values: r.values,
        ...(r.counterfactual ? { counterfactual: r.counterfactual } : {}),
      })),
      flags: d.flags,
      income: {
        monthlyEstimate: d.income.verifiedMonthlyMinor,
        regularMonthly: d.income.regularMonthlyMinor,
        irregularMonthly: d.income.irregularMonthlyMinor,
        streams: d.income.streams.map((s) => ({
          label: s.label,
          frequency: s.frequency,
          monthlyAmount: s.monthlyAmountMinor,
          confidence: s.confidence,
          status: s.status,
          isSalary: s.isSalary,
          predictedNextDate: s.predictedNextDate,
          transactionIds: s.transactionIds,
        })),
      },
      obligations: {
        monthlyTotal: d.obligations.monthlyTotalMinor,
        lenderCount: d.obligations.lenderCount,
        lenders: d.obligations.lenders.map((l) => ({ lender: l.lender, monthlyAmount: l.monthlyMinor })),
        disbursementsLast30d: d.obligations.disbursements.last30d.count,
      },
      coverage: {
        months: d.coverage.completeMonths,
        firstDate: d.coverage.firstDate,
        lastDate: d.coverage.lastDate,
        accounts: d.coverage.accounts,
        transactionCount: d.coverage.transactionCount,
      },
      postLoanDsr: d.result.limit.postLoanDsr,
      dataAsOf: d.dataAsOf.toISOString(),
      policyVersion: d.policyVersion,
      engineVersion: d.engineVersion,
      inputsHash: d.inputsHash,
      trigger: d.trigger,
      applicationId: d.applicationId,
      createdAt: d.createdAt.toISOString(),
    };
  }
}

export class DecisionHistoryDto {
  @ApiProperty({ type: [DecisionResponseDto], description: 'Newest first' }) items!: DecisionResponseDto[];
  @ApiProperty({ example: null, nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor!: string | null;
  @ApiProperty({ ...INTEGER, example: 3, description: 'Decisions of the borrower in all pages' }) total!: number;
}

export class DecisionHistoryQueryDto {
  @ApiPropertyOptional({ ...INTEGER, example: 20, minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @StrictInt()
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({
    example: 'WyJkIiwiYTZiOWUyZjAtMWMzZC00ZTVmLThhN2ItOWMwZDFlMmYzYTRiIl0',
    description: 'nextCursor of the previous page',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class ReplayResponseDto {
  @ApiProperty({ ...UUID, example: 'a6b9e2f0-1c3d-4e5f-8a7b-9c0d1e2f3a4b' }) decisionId!: string;
  @ApiProperty({ example: true }) identical!: boolean;
  @ApiProperty({ example: '5e2c…' }) inputsHash!: string;
  @ApiProperty({ example: 'default@1.0.0+3b1f0c2d9e8a' }) storedPolicyVersion!: string;
  @ApiProperty({ example: '1.0.0' }) storedEngineVersion!: string;
  @ApiProperty({ example: '1.0.0' }) replayedEngineVersion!: string;
  @ApiProperty({ example: [], description: 'Top-level result members that differ' }) differences!: string[];
  @ApiProperty({
    example: false,
    description: 'The decision was made by another engine version: differences reflect method changes, not a corrupt input',
  })
  engineVersionChanged!: boolean;
  @ApiProperty({ example: 'Reproduced byte for byte on engine 1.2.0 under policy default@1.1.0+ed85486ebe1e.' }) explanation!: string;
}
