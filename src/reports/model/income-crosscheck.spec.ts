import { describe, expect, it } from '@jest/globals';
import type { IncomeResult } from '../../scoring/engine/index.js';
import { buildIncomeCrosscheck, type IncomeCheckRow } from './income-crosscheck.js';

const now = new Date('2026-11-20T12:00:00Z');

function income(over: Partial<IncomeResult> = {}, excluded: Partial<IncomeResult['excluded']> = {}): IncomeResult {
  return {
    verifiedMonthlyMinor: 30_000_000,
    estimatedMonthlyMinor: 30_000_000,
    regularMonthlyMinor: 30_000_000,
    irregularMonthlyMinor: 0,
    streams: [],
    irregular: { months: Array.from({ length: 6 }, (_, i) => ({ month: `2026-0${i + 1}`, amountMinor: 0 })), method: 'none', cv: '0', baseMonthlyMinor: 0, weight: '0', weightedMonthlyMinor: 0, transactionIds: [] },
    excluded: { neverIncomeMinor: 0, neverIncomeTransactionIds: [], outlierTransactionIds: [], outlierThresholdMinor: 0, ...excluded },
    cappedByPassThrough: false,
    ...over,
  };
}

const row = (over: Partial<IncomeCheckRow> = {}): IncomeCheckRow => ({
  accountId: 'a1',
  status: 'received',
  reason: null,
  requestedAt: new Date(now.getTime() - 60_000),
  settledAt: now,
  monthlyIncomeMinor: 31_000_000,
  annualIncomeMinor: 372_000_000,
  streams: [{ incomeType: 'SALARY', frequency: 'MONTHLY', monthlyAverageMinor: 31_000_000, stability: 0.98 }],
  ...over,
});

describe('buildIncomeCrosscheck', () => {
  it('should be null when the cross-check did not run', () => {
    expect(buildIncomeCrosscheck([], income(), 15, now)).toBeNull();
  });

  it('should agree within the tolerance and give no reason', () => {
    const c = buildIncomeCrosscheck([row()], income(), 15, now);
    expect(c).toMatchObject({ status: 'received', monoMonthlyMinor: 31_000_000, differencePct: '3.2', differs: false, higher: 'mono', reason: null });
    expect(c?.summary).toContain('within the 15% tolerance');
  });

  it('should blame inflows the engine excluded when Mono is higher and they explain the gap', () => {
    // ₦600,000 excluded over 6 months = ₦100,000 a month; Mono ₦400,000 vs verified ₦300,000.
    const c = buildIncomeCrosscheck([row({ monthlyIncomeMinor: 40_000_000 })], income({}, { neverIncomeMinor: 30_000_000, personToPerson: { amountMinor: 30_000_000, payers: 3, transactionIds: [], businessPattern: false } }), 15, now);
    expect(c).toMatchObject({ differs: true, higher: 'mono', differencePct: '25.0' });
    expect(c?.reason).toMatch(/^Mono's estimate is higher: Mono likely counts inflows the engine excluded as not income — transfers in from individuals/);
    expect(c?.reason).toContain('₦100,000');
  });

  it('should name the confidence weighting when the engine estimate is close to Mono', () => {
    const c = buildIncomeCrosscheck([row({ monthlyIncomeMinor: 40_000_000 })], income({ estimatedMonthlyMinor: 39_000_000 }), 15, now);
    expect(c?.reason).toContain('weights each stream by its confidence');
  });

  it('should say the engine is higher and why when Mono found less', () => {
    const c = buildIncomeCrosscheck([row({ monthlyIncomeMinor: 0 })], income({ irregularMonthlyMinor: 5_000_000 }), 15, now);
    expect(c).toMatchObject({ differs: true, higher: 'engine', differencePct: '100.0' });
    expect(c?.reason).toMatch(/^The engine's verified income is higher: Mono found no income/);
    expect(c?.reason).toContain('irregular income');
  });

  it('should sum the accounts that answered and say when some did not', () => {
    const c = buildIncomeCrosscheck([row(), row({ accountId: 'a2', status: 'unavailable', reason: 'Mono http 503', monthlyIncomeMinor: null })], income(), 15, now);
    expect(c).toMatchObject({ status: 'partial', monoMonthlyMinor: 31_000_000 });
    expect(c?.summary).toContain('1 of 2 accounts answered');
  });

  it('should show a request without an answer as pending, then unavailable after 30 minutes', () => {
    const open = row({ status: 'requested', monthlyIncomeMinor: null, settledAt: null });
    expect(buildIncomeCrosscheck([open], income(), 15, now)?.status).toBe('pending');
    const old = { ...open, requestedAt: new Date(now.getTime() - 31 * 60_000) };
    expect(buildIncomeCrosscheck([old], income(), 15, now)).toMatchObject({ status: 'unavailable', monoMonthlyMinor: null, differs: false });
  });

  it('should say nothing was asked without the consent', () => {
    const c = buildIncomeCrosscheck([row({ status: 'not_requested', reason: 'no valid income_verification consent (none)', monthlyIncomeMinor: null })], income(), 15, now);
    expect(c).toMatchObject({ status: 'not_requested', monoMonthlyMinor: null });
    expect(c?.summary).toContain('no income_verification consent');
  });
});
