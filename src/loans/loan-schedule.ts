import { Decimal } from 'decimal.js';
import { addMonths, differenceInCalendarDays, parseISO } from 'date-fns';
import { MONEY_ROUNDING, assertKobo } from '../common/money.js';
import type { LoanStatus } from './loan-status.js';

/**
 * Pure loan arithmetic (no clock, no I/O): amortised schedule, repayment allocation, days past due, status.
 * Amounts are integer kobo; rates decimal.js.
 *
 * Rounding: each month's interest = outstanding × rate, rounded DOWN to the kobo; the level instalment is
 * P / a(r, n) rounded UP to the kobo (never under-collect), and the LAST instalment takes the remainder so
 * principal parts sum exactly to the principal.
 *
 * Allocation order: oldest instalment first; within an instalment interest before principal (no fees are modelled).
 */
export interface Instalment {
  seq: number;
  dueDate: string; // yyyy-MM-dd
  principalMinor: number;
  interestMinor: number;
  paidPrincipalMinor: number;
  paidInterestMinor: number;
}

export function amountDue(i: Instalment): number {
  return i.principalMinor + i.interestMinor;
}
export function outstandingOf(i: Instalment): number {
  return amountDue(i) - i.paidPrincipalMinor - i.paidInterestMinor;
}

export function amortisedSchedule(principalMinor: number, monthlyRate: string, tenorMonths: number, disbursedAt: string): Instalment[] {
  assertKobo(principalMinor, 'principalMinor');
  if (principalMinor <= 0) throw new RangeError('principalMinor must be positive');
  if (!Number.isInteger(tenorMonths) || tenorMonths <= 0) throw new RangeError('tenorMonths must be a positive integer');
  const r = new Decimal(monthlyRate);
  if (r.isNaN() || r.lt(0)) throw new RangeError('monthlyRate must be a non-negative decimal');
  const p = new Decimal(principalMinor);
  const level = r.isZero()
    ? p.div(tenorMonths).toDecimalPlaces(0, Decimal.ROUND_UP)
    : p.times(r).div(new Decimal(1).minus(r.plus(1).pow(-tenorMonths))).toDecimalPlaces(0, Decimal.ROUND_UP);
  const start = parseISO(disbursedAt.slice(0, 10));
  let remaining = principalMinor;
  const out: Instalment[] = [];
  for (let seq = 1; seq <= tenorMonths; seq++) {
    const interest = new Decimal(remaining).times(r).toDecimalPlaces(0, MONEY_ROUNDING).toNumber();
    const principal = seq === tenorMonths ? remaining : Math.min(remaining, Math.max(0, level.toNumber() - interest));
    remaining -= principal;
    out.push({ seq, dueDate: isoDate(addMonths(start, seq)), principalMinor: principal, interestMinor: interest, paidPrincipalMinor: 0, paidInterestMinor: 0 });
  }
  return out;
}

/** An explicit schedule: amounts are all principal (interest already folded in by the originator). */
export function explicitSchedule(items: readonly { dueDate: string; amountMinor: number }[], principalMinor: number): Instalment[] {
  if (items.length === 0) throw new RangeError('schedule must not be empty');
  const sorted = [...items].sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const total = sorted.reduce((s, i) => s + assertKobo(i.amountMinor, 'schedule.amountMinor'), 0);
  if (total < principalMinor) throw new RangeError('schedule total must be at least the principal');
  let principalLeft = principalMinor;
  return sorted.map((i, idx) => {
    const principal = idx === sorted.length - 1 ? principalLeft : Math.min(principalLeft, i.amountMinor);
    principalLeft -= principal;
    return { seq: idx + 1, dueDate: i.dueDate.slice(0, 10), principalMinor: principal, interestMinor: i.amountMinor - principal, paidPrincipalMinor: 0, paidInterestMinor: 0 };
  });
}

export class OverpaymentError extends RangeError {
  constructor(readonly amountMinor: number, readonly outstandingMinor: number) {
    super(`repayment ${amountMinor} exceeds the outstanding balance ${outstandingMinor}`);
    this.name = 'OverpaymentError';
  }
}

/** Allocates a repayment oldest-first, interest before principal. Returns a new schedule; throws on over-payment. */
export function allocateRepayment(schedule: readonly Instalment[], amountMinor: number): Instalment[] {
  assertKobo(amountMinor, 'amountMinor');
  if (amountMinor <= 0) throw new RangeError('amountMinor must be positive');
  const total = schedule.reduce((s, i) => s + outstandingOf(i), 0);
  if (amountMinor > total) throw new OverpaymentError(amountMinor, total);
  let left = amountMinor;
  return schedule.map((i) => {
    const next = { ...i };
    const interest = Math.min(left, next.interestMinor - next.paidInterestMinor);
    next.paidInterestMinor += interest;
    left -= interest;
    const principal = Math.min(left, next.principalMinor - next.paidPrincipalMinor);
    next.paidPrincipalMinor += principal;
    left -= principal;
    return next;
  });
}

export function outstandingPrincipal(schedule: readonly Instalment[]): number {
  return schedule.reduce((s, i) => s + i.principalMinor - i.paidPrincipalMinor, 0);
}

/** Days past due at `asOf`: days since the oldest instalment that is due and not fully paid (0 if none). */
export function daysPastDue(schedule: readonly Instalment[], asOf: string): number {
  const oldest = schedule.find((i) => outstandingOf(i) > 0 && i.dueDate < asOf.slice(0, 10));
  return oldest ? differenceInCalendarDays(parseISO(asOf.slice(0, 10)), parseISO(oldest.dueDate)) : 0;
}

/** Derived status; closed/written_off come from events and are kept. */
export function deriveStatus(current: LoanStatus, schedule: readonly Instalment[], asOf: string, defaultDpd: number): LoanStatus {
  if (current === 'closed' || current === 'written_off') return current;
  if (schedule.every((i) => outstandingOf(i) === 0)) return 'closed';
  const dpd = daysPastDue(schedule, asOf);
  if (dpd >= defaultDpd) return 'defaulted';
  return dpd >= 1 ? 'late' : 'current';
}

/** DPD thresholds crossed between two DPD readings (for `loan.overdue` events). */
export const OVERDUE_THRESHOLDS = [1, 30, 60, 90] as const;
export function crossedThresholds(previousDpd: number, dpd: number): number[] {
  return OVERDUE_THRESHOLDS.filter((t) => previousDpd < t && dpd >= t);
}

function isoDate(d: Date): string {
  const m = String(d.getMonth() + 1).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, '0');
  return `${d.getFullYear()}-${m}-${day}`;
}
