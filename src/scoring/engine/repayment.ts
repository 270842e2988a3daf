import { monthIndexOfDate, toDay } from './dates.js';
import { Dec, toMinor, toRatio } from './decimal.js';
import type { Policy } from './policy.js';
import type { NormalisedTransaction } from '../../common/domain/transaction.js';
import type { OwnLoanInput, RepaymentResult } from './types.js';

type RepaymentPolicy = NonNullable<Policy['repayment']>;

const OPEN = new Set(['current', 'late', 'defaulted']);

/**
 * Days an instalment was (or is) late: from its due date to the day it was paid in full, else to the day its loan
 * ended (closed with a waiver, written off), else to asOf.
 */
function lateness(i: OwnLoanInput['instalments'][number], endedOn: string | null, asOfDay: number): number {
  const due = toDay(i.dueDate);
  const end = i.paidInFullOn !== null ? toDay(i.paidInFullOn) : endedOn !== null ? Math.min(asOfDay, toDay(endedOn)) : asOfDay;
  return Math.max(0, end - due);
}

/** Whole calendar months from `fromDay`'s date to asOf's (never negative). */
function monthsBetween(fromDate: string, asOfDate: string): number {
  const m = monthIndexOfDate(asOfDate) - monthIndexOfDate(fromDate);
  const dayBefore = Number(asOfDate.slice(8, 10)) < Number(fromDate.slice(8, 10));
  return Math.max(0, m - (dayBefore ? 1 : 0));
}

function isoOfDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** One rung up the ladder: basis × (1 + step share), rounded DOWN to the product step. */
export function graduationStep(basisMinor: number, stepShare: string, productStepMinor: number): number {
  return toMinor(new Dec(basisMinor).times(new Dec(1).plus(stepShare)).div(productStepMinor).floor().times(productStepMinor));
}

/**
 * The borrower's record with this lender, from the lender's own loan book (pure; the caller reads the book):
 * on-time instalments and loans, days past due, arrears recency, defaults, and the graduation ladder's cap.
 * Instalments not yet due count neither way. A loan is repaid on time when it was repaid in full and every
 * instalment was paid within the grace days.
 */
export function assessRepayment(
  loans: readonly OwnLoanInput[],
  asOf: string,
  policy: RepaymentPolicy,
  productStepMinor: number,
  bank?: { txs: readonly NormalisedTransaction[]; firstDay: number | null; lastDay: number | null },
): RepaymentResult {
  const asOfDay = toDay(asOf);
  const grace = policy.onTimeGraceDays;
  let instalmentsDue = 0;
  let instalmentsOnTime = 0;
  let maxDpd = 0;
  let lastArrearsEnd: number | null = null;
  let arrearsOngoing = false;
  let loansRepaid = 0;
  let loansRepaidOnTime = 0;
  let basis = 0;
  let largestLent = 0;
  let largestOpen = 0;
  let currentDpd = 0;
  let defaulted = false;
  let writtenOff = false;

  for (const loan of loans) {
    let allOnTime = true;
    for (const i of loan.instalments) {
      if (toDay(i.dueDate) >= asOfDay && i.paidInFullOn === null) continue; // not due yet
      const late = lateness(i, loan.endedOn, asOfDay);
      instalmentsDue += 1;
      if (late <= grace) instalmentsOnTime += 1;
      else {
        allOnTime = false;
        const ended = i.paidInFullOn ?? loan.endedOn;
        if (ended === null) arrearsOngoing = true;
        else {
          const end = Math.min(asOfDay, toDay(ended));
          if (lastArrearsEnd === null || end > lastArrearsEnd) lastArrearsEnd = end;
        }
      }
      if (late > maxDpd) maxDpd = late;
    }
    if (loan.status === 'defaulted') defaulted = true;
    if (loan.status === 'written_off') writtenOff = true;
    if (loan.status !== 'defaulted' && loan.status !== 'written_off' && loan.principalMinor > largestLent) largestLent = loan.principalMinor;
    if (OPEN.has(loan.status)) {
      if (loan.daysPastDue > currentDpd) currentDpd = loan.daysPastDue;
      if (loan.principalMinor > largestOpen) largestOpen = loan.principalMinor;
    }
    if (loan.repaidInFull) {
      loansRepaid += 1;
      if (allOnTime) {
        loansRepaidOnTime += 1;
        if (loan.principalMinor > basis) basis = loan.principalMinor;
      }
    }
  }
  if (currentDpd > maxDpd) maxDpd = currentDpd;

  const monthsSinceLastArrears = arrearsOngoing || currentDpd > grace ? 0 : lastArrearsEnd === null ? null : monthsBetween(isoOfDay(lastArrearsEnd), asOf);
  const g = policy.graduation;
  const recentArrears = monthsSinceLastArrears !== null && monthsSinceLastArrears < g.stepCleanMonths;
  const stepOf = (b: number): number => graduationStep(b, g.stepShare, productStepMinor);
  const stepped = basis > 0 && !recentArrears ? stepOf(basis) : 0;
  const stepBlocked: RepaymentResult['graduation']['stepBlocked'] = basis === 0 ? 'no_on_time_repayment' : recentArrears ? 'recent_arrears' : null;
  // The ladder is on when the policy has a starter cap: without one there is no first rung to step from, and capping
  // at the largest loan lent would cut a borrower's limit to the size of whatever they first borrowed.
  const ladder = g.starterCapMinor !== null;
  const starter = g.starterCapMinor ?? 0;
  const capMinor = !ladder ? null : loans.length === 0 ? starter : Math.max(starter, largestLent, stepped);
  // Repaying the largest open loan on time (and no arrears meanwhile) would make it the basis.
  const nextCapMinor = ladder && largestOpen > 0 && !arrearsOngoing ? Math.max(capMinor ?? 0, stepOf(Math.max(basis, largestOpen))) : null;

  return {
    loans: loans.length,
    openLoans: loans.filter((l) => OPEN.has(l.status)).length,
    loansRepaid,
    loansRepaidOnTime,
    instalmentsDue,
    instalmentsOnTime,
    onTimeShare: instalmentsDue === 0 ? null : toRatio(new Dec(instalmentsOnTime).div(instalmentsDue)),
    currentDpd,
    maxDpd,
    monthsSinceLastArrears,
    defaulted,
    writtenOff,
    graduation: { capMinor, starterCapMinor: g.starterCapMinor, largestLentMinor: largestLent, basisMinor: basis, stepBlocked, nextCapMinor },
    bankMatch: bank && policy.collections && policy.collections.narrationPatterns.length > 0 ? matchCollections(loans, policy.collections, bank) : null,
  };
}

const squash = (s: string): string => s.toUpperCase().replace(/\s+/g, ' ').trim();

/**
 * The lender's recorded repayments against the collections seen leaving the linked accounts. Greedy, in date order:
 * each recorded repayment takes the closest unmatched collection within the date tolerance whose amount is within
 * the amount tolerance. Only repayments dated inside the bank data's coverage can be expected in it.
 */
export function matchCollections(
  loans: readonly OwnLoanInput[],
  rules: NonNullable<RepaymentPolicy['collections']>,
  bank: { txs: readonly NormalisedTransaction[]; firstDay: number | null; lastDay: number | null },
): NonNullable<RepaymentResult['bankMatch']> {
  const patterns = rules.narrationPatterns.map(squash);
  const seen = bank.txs
    .filter((t) => t.direction === 'debit' && t.amountMinor > 0 && patterns.some((p) => squash(t.narration).includes(p)))
    .map((t) => ({ id: t.id, day: toDay(t.date), date: t.date, amountMinor: t.amountMinor, used: false }))
    .sort((a, b) => a.day - b.day || (a.id < b.id ? -1 : 1));
  const tol = rules.dateToleranceDays;
  const share = new Dec(rules.amountTolerance);
  const reported = loans
    .flatMap((l) => l.repayments)
    .filter((r) => bank.firstDay !== null && bank.lastDay !== null && toDay(r.paidOn) >= bank.firstDay && toDay(r.paidOn) <= bank.lastDay - tol)
    .sort((a, b) => (a.paidOn < b.paidOn ? -1 : a.paidOn > b.paidOn ? 1 : a.amountMinor - b.amountMinor));
  const reportedNotSeen: Array<{ paidOn: string; amountMinor: number }> = [];
  let matched = 0;
  for (const r of reported) {
    const day = toDay(r.paidOn);
    const slack = share.times(r.amountMinor);
    let best: (typeof seen)[number] | null = null;
    for (const s of seen) {
      if (s.used || Math.abs(s.day - day) > tol || new Dec(s.amountMinor - r.amountMinor).abs().gt(slack)) continue;
      if (best === null || Math.abs(s.day - day) < Math.abs(best.day - day)) best = s;
    }
    if (best) {
      best.used = true;
      matched += 1;
    } else reportedNotSeen.push({ paidOn: r.paidOn, amountMinor: r.amountMinor });
  }
  return {
    collectionsSeen: seen.length,
    reportedInCoverage: reported.length,
    matched,
    reportedNotSeen,
    seenNotReported: seen.filter((s) => !s.used).map((s) => ({ transactionId: s.id, date: s.date, amountMinor: s.amountMinor })),
  };
}
