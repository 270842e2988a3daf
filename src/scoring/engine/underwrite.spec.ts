import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY } from '../policy/index.js';
import { buildTransactions, engineAccount, everyNDays, salariedSpecs, type SalariedOptions, type TxSpec } from './testing/builders.js';
import type { EngineInput } from './types.js';
import { decide, underwrite } from './underwrite.js';

const asOf = '2026-10-31';

function inputOf(specs: TxSpec[], extra: Partial<EngineInput> = {}, account: Parameters<typeof engineAccount>[3] = {}): EngineInput {
  const transactions = buildTransactions(specs, { openingBalanceMinor: 10_000_000 });
  return { accounts: [engineAccount('acc-1', transactions, asOf, account)], transactions, asOf, policy: DEFAULT_POLICY, ...extra };
}

const healthy: SalariedOptions = { salaryMinor: 40_000_000, dailySpendMinor: 500_000 };
const codes = (i: EngineInput): string[] => underwrite(i).reasons.map((r) => r.code);

describe(underwrite.name, () => {
  it('should approve a healthy salaried borrower with versions, hash and at most four reasons', () => {
    const r = underwrite(inputOf(salariedSpecs(healthy)));
    expect(r.decision).toBe('approve');
    expect(r.engineVersion).toBe('1.4.0');
    expect(r.policyVersion).toMatch(/^default@1\.2\.0\+[0-9a-f]{12}$/);
    expect(r.inputsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.reasons.length).toBeLessThanOrEqual(4);
    expect(r.limit.recommendedMinor % DEFAULT_POLICY.product.stepMinor).toBe(0);
    expect(r.features.find((f) => f.name === 'verified_monthly_income')?.transactionIds.length).toBeGreaterThan(0);
  });

  it('should give the same result without hashing the input (what-if runs), only inputsHash empty', () => {
    for (const input of [inputOf(salariedSpecs(healthy)), inputOf(salariedSpecs({ ...healthy, salaryMinor: 9_000_000 }))]) {
      const hashed = underwrite(input);
      const unhashed = underwrite(input, { inputsHash: false });
      expect(unhashed.inputsHash).toBe('');
      expect({ ...unhashed, inputsHash: hashed.inputsHash }).toEqual(hashed);
    }
  });

  it('should cap the limit and give STALE_DATA when the data is stale', () => {
    const fresh = underwrite(inputOf(salariedSpecs(healthy)));
    const stale = underwrite(inputOf(salariedSpecs(healthy), { context: { staleData: true } }));
    expect(stale.limit.recommendedMinor).toBe(Math.min(fresh.limit.recommendedMinor, DEFAULT_POLICY.staleData.limitCapMinor));
    expect(stale.limit.bindingConstraint).toBe('stale_data');
    const reason = stale.reasons.find((x) => x.code === 'STALE_DATA');
    expect(reason?.counterfactual?.limitDeltaMinor).toBe(fresh.limit.recommendedMinor - stale.limit.recommendedMinor);
    expect(stale.flags).toContain('stale_data');
    const oldSync = underwrite(inputOf(salariedSpecs(healthy), {}, { reauthRequired: true }));
    expect(oldSync.flags).toEqual(expect.arrayContaining(['reauth_required', 'stale_data']));
  });

  it('should never auto-approve fewer than 3 complete months and decline below 2', () => {
    const two = underwrite(inputOf(salariedSpecs({ ...healthy, from: '2026-07' }))); // spending starts on the 2nd: July is partial
    expect(two.coverage.completeMonths).toBe(2);
    expect(two.decision).toBe('refer');
    expect(two.reasons[0].code).toBe('INSUFFICIENT_HISTORY');
    expect(two.limit.components.thinFileCapMinor).not.toBeNull();
    const one = underwrite(inputOf(salariedSpecs({ ...healthy, from: '2026-08' })));
    expect(one.decision).toBe('decline');
    expect(one.reasons[0]).toMatchObject({ code: 'INSUFFICIENT_HISTORY', severity: 'blocking' });
  });

  it('should refer on an account-name mismatch and a balance break, and pass a matching name', () => {
    const mismatch = inputOf(salariedSpecs(healthy), { context: { applicantName: 'Musa Ibrahim' } });
    expect(underwrite(mismatch).decision).toBe('refer');
    expect(codes(mismatch)).toContain('ACCOUNT_NAME_MISMATCH');
    const match = inputOf(salariedSpecs(healthy), { context: { applicantName: 'Okafor Ada Chioma' } });
    expect(codes(match)).not.toContain('ACCOUNT_NAME_MISMATCH');
    const broken = inputOf(
      salariedSpecs(healthy),
      {},
      { findings: [{ accountId: 'acc-1', kind: 'balance_break', date: '2026-09-10', details: {} }] },
    );
    expect(underwrite(broken).decision).toBe('refer');
    expect(codes(broken)).toContain('DATA_INTEGRITY_FAILURE');
  });

  it('should decline with INCOME_NOT_DETECTED when nothing counts as income', () => {
    const specs: TxSpec[] = everyNDays('2026-03-01', '2026-10-30', 5).map((date) => ({
      date,
      direction: 'credit',
      amountMinor: 5_000_000,
      category: 'self_transfer',
      counterparty: 'ADA OKAFOR',
    }));
    const r = underwrite(inputOf(specs));
    expect(r.decision).toBe('decline');
    expect(r.reasons[0].code).toBe('INCOME_NOT_DETECTED');
    expect(r.flags).toContain('income_not_detected');
  });

  it('should flag a pass-through account and count only salary', () => {
    const specs = salariedSpecs({ ...healthy, dailySpendMinor: 10_000 });
    for (const date of everyNDays('2026-03-02', '2026-10-28', 2)) {
      specs.push({ date, direction: 'credit', amountMinor: 20_000_000, category: 'transfer_in', counterparty: `CLIENT ${date}` });
      specs.push({ date, direction: 'debit', amountMinor: 19_500_000, category: 'transfer_out', counterparty: 'BOSS VENTURES' });
    }
    const r = underwrite(inputOf(specs));
    expect(r.risk.passThrough.detected).toBe(true);
    expect(r.income.cappedByPassThrough).toBe(true);
    expect(r.income.verifiedMonthlyMinor).toBe(40_000_000);
    expect(r.decision).toBe('refer');
    expect(r.flags).toContain('pass_through');
  });

  it('should counter-offer a requested amount that fails and approve one that fits', () => {
    const base = underwrite(inputOf(salariedSpecs(healthy)));
    const ok = underwrite(inputOf(salariedSpecs(healthy), { requestedLoan: { amountMinor: base.limit.recommendedMinor, tenorMonths: 6 } }));
    expect(ok.limit.requested?.affordable).toBe(true);
    expect(ok.limit.counterOffer).toBeNull();
    const big = underwrite(
      inputOf(salariedSpecs(healthy), { requestedLoan: { amountMinor: base.limit.recommendedMinor * 2, tenorMonths: 3 } }),
    );
    expect(big.limit.requested?.affordable).toBe(false);
    expect(big.limit.counterOffer?.tenorMonths).toBeGreaterThan(3);
    expect(big.decision).toBe('approve');
    expect(big.reasons.map((x) => x.code)).toEqual(
      expect.arrayContaining([expect.stringMatching(/DSR_ABOVE_CAP|REQUESTED_AMOUNT_ABOVE_LIMIT/)]),
    );
  });

  it('should ignore transactions on or after asOf', () => {
    const specs = salariedSpecs(healthy);
    const later = [
      ...specs,
      { date: '2026-11-05', direction: 'credit', amountMinor: 900_000_000, category: 'transfer_in', counterparty: 'FUTURE' } as TxSpec,
    ];
    const a = underwrite(inputOf(specs));
    const b = underwrite(inputOf(later));
    expect(b.risk.futureDatedIgnored).toBe(1);
    expect(b.limit.recommendedMinor).toBe(a.limit.recommendedMinor);
  });
});

describe(decide.name, () => {
  const reason = (severity: 'blocking' | 'review' | 'limit' | 'info') => ({ code: 'X', message: 'x', severity, values: {} });
  it('should decline on a blocking reason, refer on a review reason and otherwise follow the limit', () => {
    expect(decide([reason('review'), reason('blocking')], 1_000_000, true, false)).toBe('decline');
    expect(decide([reason('review'), reason('limit')], 1_000_000, true, false)).toBe('refer');
    expect(decide([reason('limit')], 1_000_000, true, false)).toBe('approve');
    expect(decide([], 0, true, false)).toBe('decline');
    expect(decide([], 1_000_000, false, false)).toBe('decline');
    expect(decide([], 1_000_000, false, true)).toBe('approve');
  });
});
