/**
 * Balance-continuity and EMTL consistency checks (underwriting-research §4c, §4d).
 *
 * Mono sends transactions newest-first and several rows can share one timestamp (a transfer and its EMTL levy are
 * often posted in the same second), so "the previous row" is ambiguous inside a timestamp group. We order by
 * timestamp and, inside each group, search for the order that makes the running-balance chain consistent before
 * declaring a break. Only when no order works is a `balance_break` reported.
 */
import type { DataQualityFinding } from '../../common/domain/account.js';
import type { Direction } from '../../common/domain/transaction.js';
import { lagosDate } from './lagos-date.js';
import { parseNarration } from './narration.js';

export interface LedgerRow {
  providerId: string;
  /** Our row id when there is one; findings cite `id ?? providerId`. */
  id?: string;
  postedAt: string;
  direction: Direction;
  amountMinor: number;
  balanceMinor: number | null;
  narration?: string;
}

export interface EmtlOptions {
  /** Inflows at or above this amount attract the levy (₦10,000). */
  thresholdMinor?: number;
  /** Levy amount (₦50); a debit only counts as a levy when it also says EMTL. */
  levyMinor?: number;
  /** Allowed divergence: max(absolute, relative × qualifying inflows). Banks batch and waive, so be lenient. */
  absoluteTolerance?: number;
  relativeTolerance?: number;
}

export interface ContinuityOptions {
  /** Allowed |expected − actual| in minor units. */
  toleranceMinor?: number;
  /** `false` disables the EMTL check; it also only runs when rows carry narrations. */
  emtl?: EmtlOptions | false;
  /** Cap on orderings tried per same-timestamp group (the search is exponential in group size). */
  maxOrderingsPerGroup?: number;
}

const EMTL_RE = /\bEMTL\b|ELECTRONIC MONEY TRANSFER LEVY|\bE-?LEVY\b/i;
const NOT_ELECTRONIC_INFLOW_RE = /\bINTEREST\b|\bINT\.? PAID\b|CASH DEPOSIT|\bCSH DEP\b|\bCASH DEP\b|TELLER|\bCHEQUE\b|\bCHQ\b/i;

const signed = (row: LedgerRow): number => (row.direction === 'credit' ? row.amountMinor : -row.amountMinor);
const rowId = (row: LedgerRow): string => row.id ?? row.providerId;

/** Next expected balance after `row`, or `false` when the row's own balance contradicts `expected`. */
function step(expected: number | null, row: LedgerRow, tolerance: number): number | null | false {
  if (row.balanceMinor === null) return expected === null ? null : expected + signed(row);
  if (expected !== null && Math.abs(expected + signed(row) - row.balanceMinor) > tolerance) return false;
  return row.balanceMinor;
}

/**
 * Depth-first search for an order of `group` that chains from `start` without a break, within `tolerance`, and whose
 * closing balance `accept` takes (so the next group can chain on from it).
 */
function findConsistentOrder(
  group: LedgerRow[],
  start: number | null,
  tolerance: number,
  budget: { left: number },
  accept: (end: number | null) => boolean = () => true,
): LedgerRow[] | null {
  const used = new Array<boolean>(group.length).fill(false);
  const order: LedgerRow[] = [];
  const search = (expected: number | null): boolean => {
    if (order.length === group.length) return accept(expected);
    for (let i = 0; i < group.length; i++) {
      if (used[i]) continue;
      if (--budget.left < 0) return false;
      const next = step(expected, group[i], tolerance);
      if (next === false) continue;
      used[i] = true;
      order.push(group[i]);
      if (search(next)) return true;
      order.pop();
      used[i] = false;
    }
    return false;
  };
  return search(start) ? order : null;
}

/**
 * The order of one same-timestamp group. Several orders can chain: a reversal pair (debit X, credit X) chains both
 * ways but closes on different balances, and amounts within the tolerance chain "almost". So the search prefers, in
 * turn: an exact chain that closes where the next group can start (some row R of it with close + R = R's balance),
 * any exact chain, a chain within the tolerance that closes where the next group can start, any chain within the
 * tolerance; each first from the running balance, then from no known balance. No order at all keeps the input's.
 */
function orderGroup(group: LedgerRow[], start: number | null, tolerance: number, nextGroup: readonly LedgerRow[], maxOrderings: number): LedgerRow[] {
  const starts = new Set<number>(nextGroup.flatMap((r) => (r.balanceMinor === null ? [] : [r.balanceMinor - signed(r)])));
  const fitsNext = (end: number | null): boolean => {
    if (end === null || starts.size === 0) return true;
    for (const s of starts) if (Math.abs(end - s) <= tolerance) return true;
    return false;
  };
  const attempts: Array<[number | null, number, ((end: number | null) => boolean) | undefined]> = [];
  for (const from of start === null ? [null] : [start, null]) {
    attempts.push([from, 0, fitsNext], [from, 0, undefined], [from, tolerance, fitsNext], [from, tolerance, undefined]);
  }
  for (const [from, tol, accept] of attempts) {
    const found = findConsistentOrder(group, from, tol, { left: maxOrderings }, accept);
    if (found) return found;
  }
  return group;
}

/**
 * Oldest → newest. Ties on `postedAt` start from reversed input order (Mono is newest-first) and are then re-ordered
 * to make the balance chain consistent when some order can (see orderGroup).
 */
export function orderChronologically(rows: readonly LedgerRow[], opts: ContinuityOptions = {}): LedgerRow[] {
  const tolerance = opts.toleranceMinor ?? 1;
  const indexed = rows.map((row, index) => ({ row, index }));
  indexed.sort((a, b) => (a.row.postedAt === b.row.postedAt ? b.index - a.index : a.row.postedAt < b.row.postedAt ? -1 : 1));
  const groups: LedgerRow[][] = [];
  for (let i = 0; i < indexed.length;) {
    let j = i;
    while (j < indexed.length && indexed[j].row.postedAt === indexed[i].row.postedAt) j++;
    groups.push(indexed.slice(i, j).map((x) => x.row));
    i = j;
  }
  const result: LedgerRow[] = [];
  let expected: number | null = null;
  for (let g = 0; g < groups.length; g++) {
    let group = groups[g];
    if (group.length > 1) group = orderGroup(group, expected, tolerance, groups[g + 1] ?? [], opts.maxOrderingsPerGroup ?? 20_000);
    for (const row of group) {
      const next = step(expected, row, tolerance);
      expected = next === false ? row.balanceMinor : next;
    }
    result.push(...group);
  }
  return result;
}

function missingBalanceFinding(accountId: string, rows: readonly LedgerRow[]): DataQualityFinding | null {
  const missing = rows.filter((r) => r.balanceMinor === null);
  // Some banks send 0 for "no balance"; a ledger that is zero on every row while money moves has no real balances.
  const allZero = rows.length >= 2 && rows.every((r) => r.balanceMinor === null || r.balanceMinor === 0) && missing.length < rows.length;
  if (missing.length === 0 && !allZero) return null;
  const affected = allZero ? rows : missing;
  return {
    accountId,
    kind: 'missing_balance',
    transactionId: rowId(affected[0]),
    date: lagosDate(affected[0].postedAt),
    details: { count: affected.length, total: rows.length, reason: allZero ? 'all_zero' : 'null_balance' },
  };
}

export function checkBalanceContinuity(
  accountId: string,
  transactions: readonly LedgerRow[],
  opts: ContinuityOptions = {},
): DataQualityFinding[] {
  const tolerance = opts.toleranceMinor ?? 1;
  const findings: DataQualityFinding[] = [];
  const missing = missingBalanceFinding(accountId, transactions);
  const zeroLedger = missing?.details.reason === 'all_zero';
  const ordered = orderChronologically(zeroLedger ? transactions.map((t) => ({ ...t, balanceMinor: null })) : transactions, opts);
  let expected: number | null = null;
  let previous: LedgerRow | null = null;
  for (const row of ordered) {
    const next = step(expected, row, tolerance);
    if (next === false && expected !== null && row.balanceMinor !== null) {
      const expectedMinor = expected + signed(row);
      findings.push({
        accountId,
        kind: 'balance_break',
        transactionId: rowId(row),
        date: lagosDate(row.postedAt),
        details: {
          expectedMinor,
          actualMinor: row.balanceMinor,
          deltaMinor: row.balanceMinor - expectedMinor,
          previousTransactionId: previous === null ? null : rowId(previous),
        },
      });
    }
    expected = next === false ? row.balanceMinor : next;
    previous = row;
  }
  if (missing) findings.push(missing);
  if (opts.emtl !== false && transactions.length > 0 && transactions.every((t) => t.narration !== undefined)) {
    findings.push(...checkEmtlConsistency(accountId, transactions, opts.emtl ?? {}));
  }
  return findings;
}

/** Electronic inflows ≥ threshold vs EMTL levies; one finding when they diverge beyond the tolerance. */
export function checkEmtlConsistency(accountId: string, transactions: readonly LedgerRow[], opts: EmtlOptions = {}): DataQualityFinding[] {
  const threshold = opts.thresholdMinor ?? 1_000_000;
  const levy = opts.levyMinor ?? 5_000;
  const qualifying = transactions.filter((t) => {
    if (t.direction !== 'credit' || t.amountMinor < threshold) return false;
    const narration = t.narration ?? '';
    const parsed = parseNarration(narration, 'credit');
    return !parsed.isReversal && parsed.rail !== 'CHARGE' && !NOT_ELECTRONIC_INFLOW_RE.test(narration);
  }).length;
  const levies = transactions.filter((t) => t.direction === 'debit' && t.amountMinor === levy && EMTL_RE.test(t.narration ?? '')).length;
  const allowed = Math.max(opts.absoluteTolerance ?? 2, (opts.relativeTolerance ?? 0.2) * qualifying);
  if (Math.abs(levies - qualifying) <= allowed) return [];
  return [
    {
      accountId,
      kind: 'emtl_mismatch',
      details: { qualifyingInflows: qualifying, levies, thresholdMinor: threshold, levyMinor: levy, allowedDivergence: allowed },
    },
  ];
}
