import type { DataQualityKind } from '../../common/domain/account.js';
import { firstDayOfMonth } from './dates.js';
import { Dec, ZERO, toRatio } from './decimal.js';
import { INCOME_ELIGIBLE, type Frame } from './frame.js';
import type { Policy } from './policy.js';
import type { RiskResult } from './types.js';

/** Findings that mean the data may be incomplete or altered (the rest are informational). */
const SEVERE_FINDINGS: ReadonlySet<DataQualityKind> = new Set<DataQualityKind>([
  'balance_break',
  'modified_transaction',
  'removed_transaction',
]);

const nameTokenCache = new Map<string, ReadonlySet<string>>();

/** Name tokens of a text (memoised, bounded: keys repeat across decisions; the sets are never mutated). */
function nameTokens(name: string): ReadonlySet<string> {
  let v = nameTokenCache.get(name);
  if (v === undefined) {
    v = new Set(
      name
        .toUpperCase()
        .split(/[^A-Z]+/)
        .filter((w) => w.length > 1),
    );
    if (nameTokenCache.size > 20_000) nameTokenCache.clear();
    nameTokenCache.set(name, v);
  }
  return v;
}

/** Share of the smaller name's tokens found in the other (order-free; tolerates a missing middle name). */
export function nameOverlap(a: string, b: string): Dec {
  const ta = nameTokens(a);
  const tb = nameTokens(b);
  if (ta.size === 0 || tb.size === 0) return ZERO;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common += 1;
  return new Dec(common).div(Math.min(ta.size, tb.size));
}

/**
 * Rows in the pass-through window that move the borrower's own money even though the categoriser did not call
 * them self-transfers (1 = own move): a transfer_out to a payee named like an account holder (≥ 2 name tokens in
 * common, covering ≥ 2/3 of the holder's tokens: "TRF TO ADA OKAFOR KUDA"), and both legs of a cross-account
 * pair (a debit on one linked account and a credit of the same amount on another within `windowDays`, matched
 * one to one, earliest first). Categorised self-transfers never enter the test anyway. null when there are none.
 */
export function ownMoves(frame: Frame, fromDay: number, windowDays: number): Uint8Array | null {
  const { txs, days, keys } = frame;
  const holders = frame.accounts.map((a) => (a.holderName ? nameTokens(a.holderName) : null)).filter((h) => h !== null && h.size > 0);
  let out: Uint8Array | null = null;
  const mark = (i: number): void => {
    out ??= new Uint8Array(txs.length);
    out[i] = 1;
  };
  const byKey = new Map<string, boolean>();
  const ownName = (key: string): boolean => {
    let v = byKey.get(key);
    if (v === undefined) {
      const kt = nameTokens(key);
      v = holders.some((h) => {
        let common = 0;
        for (const t of h!) if (kt.has(t)) common += 1;
        return common >= 2 && 3 * common >= 2 * h!.size;
      });
      byKey.set(key, v);
    }
    return v;
  };
  const multiAccount = frame.accounts.length > 1;
  // Credits by amount for pairing: amount → indices in date order, consumed once paired; `start` skips the credits
  // too early for any later debit (debits are visited in date order), so each list is walked once overall.
  const credits = new Map<number, { idx: number[]; start: number }>();
  if (multiAccount) {
    for (let i = 0; i < txs.length; i += 1) {
      const t = txs[i];
      if (days[i] < fromDay - windowDays || t.direction !== 'credit' || !INCOME_ELIGIBLE.has(t.category)) continue;
      const list = credits.get(t.amountMinor);
      if (list) list.idx.push(i);
      else credits.set(t.amountMinor, { idx: [i], start: 0 });
    }
  }
  for (let i = 0; i < txs.length; i += 1) {
    const t = txs[i];
    if (days[i] < fromDay || t.direction !== 'debit' || t.category !== 'transfer_out') continue;
    if (holders.length > 0 && ownName(keys[i])) {
      mark(i);
      continue;
    }
    if (!multiAccount) continue;
    const list = credits.get(t.amountMinor);
    if (!list) continue;
    const { idx } = list;
    while (list.start < idx.length && (idx[list.start] < 0 || days[idx[list.start]] < days[i] - windowDays)) list.start += 1;
    let k = -1;
    for (let q = list.start; q < idx.length; q += 1) {
      const j = idx[q];
      if (j < 0) continue;
      if (days[j] > days[i] + windowDays) break;
      if (txs[j].accountId !== t.accountId) {
        k = q;
        break;
      }
    }
    if (k < 0) continue;
    mark(i);
    mark(idx[k]);
    idx[k] = -1;
  }
  return out;
}

export interface RiskInput {
  frame: Frame;
  policy: Policy;
  completeMonths: number;
  staleFromContext: boolean;
  applicantName: string | undefined;
}

/**
 * Gambling share = betting stakes / income-eligible credits over the analysed window and the current month
 * (payouts are excluded from the denominator, so winnings never dilute the share); pass-through = share of
 * inflows leaving within `windowDays` to at most `maxCounterparties` counterparties; failed debits in the
 * last 90 days; data-integrity findings; thin and stale data; account-name match.
 */
export function computeRisk({ frame, policy, completeMonths, staleFromContext, applicantName }: RiskInput): RiskResult {
  const { txs, days, keys, asOfDay } = frame;
  const rp = policy.risk;
  const windowStart = frame.analysedMonths.length ? firstDayOfMonth(frame.analysedMonths[0]) : (frame.firstDay ?? asOfDay);
  const d90 = asOfDay - 90;
  let stakes = 0;
  let payouts = 0;
  let eligible = 0;
  let allCredits = 0;
  const gamblingIds: string[] = [];
  const failedIds: string[] = [];
  // Pass-through: FIFO queue of recent inflows consumed by transfers out within the window.
  const queue: { day: number; left: number }[] = [];
  let head = 0;
  let ptInflow = 0;
  let ptMatched = 0;
  const ptBy = new Map<string, number>();
  const own = ownMoves(frame, d90, rp.passThrough.windowDays);
  for (let i = 0; i < txs.length; i += 1) {
    const t = txs[i];
    const day = days[i];
    if (day >= windowStart) {
      if (t.direction === 'credit') allCredits += t.amountMinor;
      if (t.category === 'betting_stake' && t.direction === 'debit') {
        stakes += t.amountMinor;
        gamblingIds.push(t.id);
      } else if (t.category === 'betting_payout' && t.direction === 'credit') {
        payouts += t.amountMinor;
        gamblingIds.push(t.id);
      } else if (t.direction === 'credit' && INCOME_ELIGIBLE.has(t.category)) {
        eligible += t.amountMinor;
      }
    }
    if (day < d90) continue;
    if (t.category === 'failed_debit') failedIds.push(t.id);
    if (own !== null && own[i] === 1) continue; // the borrower's own money moving between own accounts and wallets
    if (t.direction === 'credit' && INCOME_ELIGIBLE.has(t.category)) {
      queue.push({ day, left: t.amountMinor });
      ptInflow += t.amountMinor;
    } else if (t.direction === 'debit' && t.category === 'transfer_out') {
      let need = t.amountMinor;
      while (head < queue.length && queue[head].day < day - rp.passThrough.windowDays) head += 1;
      for (let q = head; q < queue.length && need > 0; q += 1) {
        const take = Math.min(need, queue[q].left);
        queue[q].left -= take;
        need -= take;
        ptMatched += take;
        if (take > 0) ptBy.set(keys[i], (ptBy.get(keys[i]) ?? 0) + take);
      }
      while (head < queue.length && queue[head].left === 0) head += 1;
    }
  }
  const share = eligible > 0 ? new Dec(stakes).div(eligible) : stakes > 0 ? new Dec(1) : ZERO;
  const top = [...ptBy.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, rp.passThrough.maxCounterparties);
  const topSum = top.reduce((s, [, v]) => s + v, 0);
  const ptShare = ptInflow > 0 ? new Dec(ptMatched).div(ptInflow) : ZERO;
  const topShare = ptMatched > 0 ? new Dec(topSum).div(ptMatched) : ZERO;
  const passThrough = ptShare.gte(rp.passThrough.share) && topShare.gte(rp.passThrough.share);

  const byKind: Record<string, number> = {};
  const findingIds: string[] = [];
  let severe = 0;
  let reauth = false;
  let freshness: number | null = null;
  const holderNames: string[] = [];
  for (const a of [...frame.accounts].sort((x, y) => (x.accountId < y.accountId ? -1 : 1))) {
    for (const f of a.findings) {
      byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
      if (SEVERE_FINDINGS.has(f.kind)) severe += 1;
      if (f.transactionId) findingIds.push(f.transactionId);
    }
    if (a.reauthRequired) reauth = true;
    const fh = a.coverage.freshnessHours;
    if (fh !== null && (freshness === null || fh > freshness)) freshness = fh;
    if (a.holderName) holderNames.push(a.holderName);
  }
  const stale = staleFromContext || reauth || (freshness !== null && freshness > policy.staleData.maxAgeHours);

  let best: Dec | null = null;
  if (applicantName && holderNames.length) {
    for (const h of holderNames) {
      const o = nameOverlap(applicantName, h);
      if (best === null || o.gt(best)) best = o;
    }
  }
  return {
    gambling: {
      stakesMinor: stakes,
      payoutsMinor: payouts,
      share: toRatio(share),
      shareOfTotalCredits: toRatio(allCredits > 0 ? new Dec(stakes).div(allCredits) : ZERO),
      transactionIds: gamblingIds,
    },
    passThrough: { detected: passThrough, share: toRatio(ptShare), topCounterparties: top.map(([k]) => k), topShare: toRatio(topShare) },
    failedDebits: { count90d: failedIds.length, transactionIds: failedIds },
    dataIntegrity: { balanceBreaks: severe, byKind, transactionIds: findingIds },
    thinFile: completeMonths < policy.coverage.minCompleteMonthsForApproval,
    staleData: { stale, freshnessHours: freshness, reauthRequired: reauth, fromContext: staleFromContext },
    nameMatch: {
      checked: best !== null,
      matched: best === null ? true : best.gte(rp.nameMatch.minOverlap),
      bestOverlap: best === null ? null : toRatio(best),
      holderNames: holderNames.sort(),
    },
    futureDatedIgnored: frame.futureDatedIgnored,
  };
}
