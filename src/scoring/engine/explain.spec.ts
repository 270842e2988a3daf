import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY } from '../policy/index.js';
import { explainTransactions } from './explain.js';
import { buildTransactions, engineAccount, everyNDays, rng, salariedSpecs, type TxSpec } from './testing/builders.js';
import { underwrite } from './underwrite.js';

const asOf = '2026-10-31';

function explain(specs: TxSpec[]) {
  const transactions = buildTransactions(specs, { openingBalanceMinor: 10_000_000 });
  const result = underwrite({ accounts: [engineAccount('acc-1', transactions, asOf)], transactions, asOf, policy: DEFAULT_POLICY });
  return { result, rows: explainTransactions(transactions, result) };
}

describe(explainTransactions.name, () => {
  it('should count a trader’s irregular pool and say why the other credits did not count', () => {
    const r = rng(5);
    const sales: TxSpec[] = everyNDays('2026-04-01', '2026-10-30', 1).map((date) => ({
      date,
      direction: 'credit',
      amountMinor: 1_000_000 + Math.round(r() * 40) * 50_000,
      category: 'transfer_in',
      counterparty: 'PAYSTACK SETTLEMENT',
    }));
    const extra: TxSpec[] = [
      { date: '2026-06-10', direction: 'credit', amountMinor: 5_000_000, category: 'self_transfer', counterparty: 'ADA OKAFOR' },
      { date: '2026-06-11', direction: 'credit', amountMinor: 9_000_000, category: 'loan_disbursement', counterparty: 'CARBON' },
      { date: '2026-11-02', direction: 'credit', amountMinor: 1_000_000, category: 'transfer_in', counterparty: 'LATER' },
      { date: '2026-06-12', direction: 'debit', amountMinor: 2_000_000, category: 'card_pos', counterparty: 'SHOPRITE' },
    ];
    const { result, rows } = explain([...sales, ...extra]);
    expect(result.income.irregularMonthlyMinor).toBeGreaterThan(0);
    const byTreatment = (t: string) => rows.filter((x) => x.treatment === t);
    expect(byTreatment('irregular').every((x) => x.countedAsIncome && x.counterpartyKind === 'business')).toBe(true);
    expect(byTreatment('irregular').map((x) => x.id)).toEqual(result.income.irregular.transactionIds);
    expect(
      byTreatment('never_income')
        .map((x) => x.category)
        .sort(),
    ).toEqual(['loan_disbursement', 'self_transfer']);
    expect(byTreatment('future')).toHaveLength(1);
    expect(byTreatment('debit')).toHaveLength(1);
    // Credits outside the analysed months are labelled, never counted.
    expect(byTreatment('not_analysed').every((x) => !x.countedAsIncome)).toBe(true);
    expect(rows.filter((x) => x.countedAsIncome)).toHaveLength(byTreatment('irregular').length);
  });

  it('should mark a counted salary stream’s rows and leave an uncounted (inactive) stream’s rows uncounted', () => {
    const old: TxSpec[] = salariedSpecs({ from: '2026-01', to: '2026-05', salaryMinor: 30_000_000, employer: 'OLD EMPLOYER PLC' }).filter(
      (t) => t.category === 'salary',
    );
    const { result, rows } = explain([...salariedSpecs({ from: '2026-04', salaryMinor: 40_000_000 }), ...old]);
    const counted = result.income.streams.find((s) => s.countedMonthlyMinor > 0)!;
    const stopped = result.income.streams.find((s) => s.status === 'INACTIVE')!;
    const by = new Map(rows.map((x) => [x.id, x]));
    expect(
      counted.transactionIds.every((id) => by.get(id)?.countedAsIncome === true && by.get(id)?.treatment === `stream:${counted.id}`),
    ).toBe(true);
    expect(stopped.transactionIds.every((id) => by.get(id)?.countedAsIncome === false)).toBe(true);
  });
});
