import { Dec, ONE } from './decimal.js';

/**
 * Annuity factor a(r, n) = (1 − (1 + r)^−n) / r, the present value of n payments of 1 at monthly rate r;
 * a(0, n) = n (an interest-free loan repaid in n equal parts).
 */
export function annuityFactor(monthlyRate: Dec, tenorMonths: number): Dec {
  if (!Number.isInteger(tenorMonths) || tenorMonths <= 0) throw new RangeError(`tenor must be a positive integer, got ${tenorMonths}`);
  if (monthlyRate.lt(0)) throw new RangeError('monthly rate must not be negative');
  if (monthlyRate.isZero()) return new Dec(tenorMonths);
  // A pure function of (rate, tenor), asked for repeatedly by every counterfactual: memoised (bounded).
  const key = `${monthlyRate.toString()}|${tenorMonths}`;
  let a = annuityCache.get(key);
  if (a === undefined) {
    a = ONE.minus(ONE.plus(monthlyRate).pow(-tenorMonths)).div(monthlyRate);
    if (annuityCache.size > 1_000) annuityCache.clear();
    annuityCache.set(key, a);
  }
  return a;
}

const annuityCache = new Map<string, Dec>();

/** Largest principal repayable by `instalment` a month: L = MI × (1 − (1 + r)^−n) / r. Unrounded. */
export function principalForInstalment(instalment: Dec, monthlyRate: Dec, tenorMonths: number): Dec {
  return instalment.times(annuityFactor(monthlyRate, tenorMonths));
}

/** Level monthly instalment of a principal: P / a(r, n). Unrounded. */
export function instalmentForPrincipal(principal: Dec, monthlyRate: Dec, tenorMonths: number): Dec {
  return principal.div(annuityFactor(monthlyRate, tenorMonths));
}
