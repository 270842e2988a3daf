import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DecisionEntity } from '../entities/decision.entity.js';

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
  @ApiProperty({ example: 30000000, description: 'kobo' }) amount!: number;
  @ApiProperty({ example: 6 }) tenorMonths!: number;
  @ApiProperty({ example: 5722857, description: 'kobo' }) instalment!: number;
}

export class IncomeStreamSummaryDto {
  @ApiProperty({ example: 'ACME LTD salary' }) label!: string;
  @ApiProperty({ example: 'monthly' }) frequency!: string;
  @ApiProperty({ example: 45000000, description: 'Conservative monthly amount, kobo' }) monthlyAmount!: number;
  @ApiProperty({ example: '0.92' }) confidence!: string;
  @ApiProperty({ example: 'ACTIVE' }) status!: string;
  @ApiProperty({ example: true }) isSalary!: boolean;
  @ApiProperty({ example: '2026-03-27', nullable: true, type: String }) predictedNextDate!: string | null;
  @ApiProperty({ example: ['0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6'], description: 'The transactions behind the stream' })
  transactionIds!: string[];
}

export class IncomeSummaryDto {
  @ApiProperty({ example: 45000000, description: 'Verified monthly income, kobo' }) monthlyEstimate!: number;
  @ApiProperty({ example: 45000000 }) regularMonthly!: number;
  @ApiProperty({ example: 0 }) irregularMonthly!: number;
  @ApiProperty({ type: [IncomeStreamSummaryDto] }) streams!: IncomeStreamSummaryDto[];
}

export class LenderObligationDto {
  @ApiProperty({ example: 'CARBON' }) lender!: string;
  @ApiProperty({ example: 4200000, description: 'kobo' }) monthlyAmount!: number;
}

export class ObligationsSummaryDto {
  @ApiProperty({ example: 8400000, description: 'Monthly repayments to other lenders, kobo' }) monthlyTotal!: number;
  @ApiProperty({ example: 2 }) lenderCount!: number;
  @ApiProperty({ type: [LenderObligationDto] }) lenders!: LenderObligationDto[];
  @ApiProperty({ example: 1 }) disbursementsLast30d!: number;
}

export class CoverageSummaryDto {
  @ApiProperty({ example: 6, description: 'Complete calendar months of history' }) months!: number;
  @ApiProperty({ example: '2025-09-01', nullable: true, type: String }) firstDate!: string | null;
  @ApiProperty({ example: '2026-03-19', nullable: true, type: String }) lastDate!: string | null;
  @ApiProperty({ example: 1 }) accounts!: number;
  @ApiProperty({ example: 412 }) transactionCount!: number;
}

export class DecisionResponseDto {
  @ApiProperty({ example: 'a6b9e2f0-1c3d-4e5f-8a7b-9c0d1e2f3a4b' }) id!: string;
  @ApiProperty({ example: 'approve', enum: ['approve', 'decline', 'refer'] }) decision!: string;
  @ApiProperty({ example: 30000000, description: 'Recommended limit, kobo' }) recommendedLimit!: number;
  @ApiProperty({ example: 5722857, description: 'Monthly instalment of the recommended limit, kobo' }) instalment!: number;
  @ApiProperty({ example: 'NGN' }) currency!: string;
  @ApiProperty({
    example: 'dsr',
    enum: ['dsr', 'free_cash_flow', 'product_max', 'income_multiple', 'coverage', 'stale_data', 'risk', 'none'],
  })
  bindingConstraint!: string;
  @ApiPropertyOptional({ type: CounterOfferDto, nullable: true }) counterOffer!: CounterOfferDto | null;
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
  @ApiProperty({ example: 'c2f8d4a1-…', nullable: true, type: String }) applicationId!: string | null;
  @ApiProperty({ example: '2026-03-20T09:00:02.000Z' }) createdAt!: string;

  static from(d: DecisionEntity): DecisionResponseDto {
    return {
      id: d.id,
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
}

export class ReplayResponseDto {
  @ApiProperty({ example: 'a6b9e2f0-1c3d-4e5f-8a7b-9c0d1e2f3a4b' }) decisionId!: string;
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
