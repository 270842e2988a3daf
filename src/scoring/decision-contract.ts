import { Decimal } from 'decimal.js';
import { amortisedSchedule, amountDue } from '../loans/loan-schedule.js';
import type { CounterOffer, Decision, LimitResult } from './engine/index.js';

/**
 * Decision contract v2: what a lender's frontend shows the borrower, without interpreting engine internals
 * (docs/api.md "Decision contract"). Derived, never stored: a pure function of the stored decision, so every decision
 * ever made (overrides included) reads the same way.
 *
 * - `approved`       — the amount and tenor asked for can be lent: `offer` is the request.
 * - `approved_lower` — less than asked for, at the tenor asked for: `offer` is the lower amount.
 * - `counter_offer`  — other terms: another tenor (with the full or a lower amount), or more than asked for when the
 *                      request is under the product minimum: `offer` says which.
 * - `referred`       — an analyst decides; nothing is offered until then.
 * - `declined`       — nothing is offered and no limit is given.
 *
 * A decision without a request (re-underwriting, manual) that approves is `approved` with no `offer`: `limit` is the
 * ceiling for future applications. `requested.affordable` is the affordability test alone; `outcome` is what to act on.
 */
export type DecisionOutcome = 'approved' | 'approved_lower' | 'counter_offer' | 'referred' | 'declined';
export const DECISION_OUTCOMES: readonly DecisionOutcome[] = ['approved', 'approved_lower', 'counter_offer', 'referred', 'declined'];

export interface OfferTerms {
  amountMinor: number;
  tenorMonths: number;
  /** Monthly interest rate on the reducing balance, decimal string. */
  monthlyRate: string;
  /** The level instalment of the amortised schedule POST /v1/loans books for these terms (the last may be lower). */
  instalmentMinor: number;
  /** Sum of every instalment of that schedule. */
  totalRepayableMinor: number;
  totalInterestMinor: number;
  /** Nominal annual rate: monthly rate × 12 (no fees are modelled), decimal string. */
  apr: string;
  /** (1 + monthly rate)^12 − 1, decimal string to 6 places. */
  effectiveAnnualRate: string;
}

export interface DecisionContract {
  outcome: DecisionOutcome;
  offer: OfferTerms | null;
  requested: { amountMinor: number; tenorMonths: number; instalmentMinor: number; affordable: boolean } | null;
  /** The ceiling for future applications (approved decisions only); `availableMinor` after the lender's open loans. */
  limit: { amountMinor: number; tenorMonths: number; instalmentMinor: number; availableMinor: number } | null;
}

/** What the contract reads from a stored decision (entity fields and the engine result's limit). */
export interface ContractSource {
  decision: Decision;
  recommendedLimitMinor: number;
  instalmentMinor: number;
  counterOffer: CounterOffer | null;
  requestedAmountMinor: number | null;
  requestedTenorMonths: number | null;
  limit: Pick<LimitResult, 'tenorMonths' | 'monthlyRate' | 'requested' | 'exposure'> | null | undefined;
}

/** Any date: only amounts matter here (due dates are the loan's, from its disbursement). */
const SCHEDULE_ORIGIN = '2000-01-01';

export function offerTerms(amountMinor: number, tenorMonths: number, monthlyRate: string): OfferTerms {
  const schedule = amortisedSchedule(amountMinor, monthlyRate, tenorMonths, SCHEDULE_ORIGIN);
  const total = schedule.reduce((sum, i) => sum + amountDue(i), 0);
  const r = new Decimal(monthlyRate);
  return {
    amountMinor,
    tenorMonths,
    monthlyRate: r.toString(),
    instalmentMinor: amountDue(schedule[0]),
    totalRepayableMinor: total,
    totalInterestMinor: total - amountMinor,
    apr: r.times(12).toString(),
    effectiveAnnualRate: r.plus(1).pow(12).minus(1).toDecimalPlaces(6, Decimal.ROUND_HALF_EVEN).toString(),
  };
}

export function decisionContract(d: ContractSource): DecisionContract {
  const limit = d.limit ?? null;
  const rate = limit?.monthlyRate ?? null;
  const requestedAmount = limit?.requested?.amountMinor ?? d.requestedAmountMinor;
  const requestedTenor = limit?.requested?.tenorMonths ?? d.requestedTenorMonths;
  const requested =
    requestedAmount !== null && requestedTenor !== null
      ? {
          amountMinor: requestedAmount,
          tenorMonths: requestedTenor,
          instalmentMinor: limit?.requested?.instalmentMinor ?? 0,
          affordable: limit?.requested?.affordable ?? false,
        }
      : null;

  if (d.decision === 'decline') return { outcome: 'declined', offer: null, requested, limit: null };
  if (d.decision === 'refer') return { outcome: 'referred', offer: null, requested, limit: null };

  const limitTenor = limit?.tenorMonths ?? requestedTenor ?? 0;
  const approvedLimit = {
    amountMinor: d.recommendedLimitMinor,
    tenorMonths: limitTenor,
    instalmentMinor: d.instalmentMinor,
    availableMinor: limit?.exposure?.availableMinor ?? d.recommendedLimitMinor,
  };
  const terms = (amount: number, tenor: number): OfferTerms | null =>
    rate !== null && amount > 0 && Number.isInteger(tenor) && tenor > 0 ? offerTerms(amount, tenor, rate) : null;

  if (!requested) return { outcome: 'approved', offer: null, requested: null, limit: approvedLimit };
  if (requested.affordable) return { outcome: 'approved', offer: terms(requested.amountMinor, requested.tenorMonths), requested, limit: approvedLimit };
  const counter = d.counterOffer;
  if (counter) {
    const lower = counter.tenorMonths === requested.tenorMonths && counter.amountMinor < requested.amountMinor;
    return { outcome: lower ? 'approved_lower' : 'counter_offer', offer: terms(counter.amountMinor, counter.tenorMonths), requested, limit: approvedLimit };
  }
  // Only an analyst's override approves a request the engine found neither affordable nor counter-offerable: the
  // analyst approved the application as asked.
  return { outcome: 'approved', offer: terms(requested.amountMinor, requested.tenorMonths), requested, limit: approvedLimit };
}
