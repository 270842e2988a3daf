import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import {
  categoriseBorrowerTransactions,
  checkBalanceContinuity,
  computeCoverage,
  loadDictionaries,
  parseMonoTransactions,
} from '../../ingestion/normalise/index.js';
import { lagosDate } from '../../ingestion/normalise/lagos-date.js';
import { isBusinessDay, previousBusinessDay } from './calendar.js';
import { DEFAULT_SEEDS, generatePersona, measureCategoriser, PERSONA_NAMES, type GeneratedPersona, type PersonaName } from './index.js';

const AS_OF = '2026-10-31';
const cache = new Map<PersonaName, GeneratedPersona>();
function persona(name: PersonaName): GeneratedPersona {
  let p = cache.get(name);
  if (!p) {
    p = generatePersona(name, { asOf: AS_OF });
    cache.set(name, p);
  }
  return p;
}
const accountsOf = (p: GeneratedPersona) => [{ account: p.account, transactions: p.transactions }, ...p.extraAccounts];

describe(generatePersona.name, () => {
  it('should be byte-identical for the same seed and asOf, and differ for another seed', () => {
    const a = JSON.stringify(generatePersona('loan_stacker', { asOf: AS_OF, seed: 42 }));
    const b = JSON.stringify(generatePersona('loan_stacker', { asOf: AS_OF, seed: 42 }));
    const c = JSON.stringify(generatePersona('loan_stacker', { asOf: AS_OF, seed: 43 }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('should match the committed fixtures (run scripts/generate-personas.ts after changing the generator)', () => {
    for (const name of ['salaried_monthly', 'self_transfer_pair'] as const) {
      const p = generatePersona(name, { asOf: AS_OF, seed: DEFAULT_SEEDS[name] });
      const fixture = JSON.parse(
        readFileSync(new URL(`../../../test/fixtures/personas/${name}.labels.json`, import.meta.url), 'utf8'),
      ) as unknown;
      expect(JSON.parse(JSON.stringify(p.labels))).toEqual(fixture);
    }
  });

  it('should use the requested account id and reject a malformed asOf', () => {
    expect(generatePersona('thin_file', { asOf: AS_OF, accountId: 'abcdefabcdefabcdefabcdef' }).account.account.id).toBe(
      'abcdefabcdefabcdefabcdef',
    );
    expect(() => generatePersona('thin_file', { asOf: '31-10-2026' })).toThrow('asOf must be YYYY-MM-DD');
  });

  it("should hold the account in a given holder's name and change nothing else but the names", () => {
    for (const name of ['salaried_monthly', 'self_transfer_pair', 'trader_irregular'] as const) {
      const invented = generatePersona(name, { asOf: AS_OF });
      const own = generatePersona(name, { asOf: AS_OF, holder: { fullName: '  Zainab  Amaka Okoro ', email: 'zainab@example.com' } });
      expect(own.account.account.name).toBe('OKORO ZAINAB AMAKA');
      expect(own.identity).toMatchObject({ full_name: 'Zainab Amaka Okoro', first_name: 'Zainab', middle_name: 'Amaka', last_name: 'Okoro', email: 'zainab@example.com' });
      expect(own.identity.bvn).toBe(invented.identity.bvn);
      const shape = (p: GeneratedPersona) => accountsOf(p).flatMap((a) => a.transactions.map((t) => [t.id, t.date, t.type, t.amount, t.balance]));
      expect(shape(own)).toEqual(shape(invented));
      // Narrations that named the invented holder now name the given one, in a bank's spellings.
      const texts = (p: GeneratedPersona) => accountsOf(p).flatMap((a) => a.transactions.map((t) => t.narration)).join('\n');
      expect(texts(own)).not.toContain(invented.identity.last_name.toUpperCase());
      if (texts(invented).includes(invented.identity.last_name.toUpperCase())) expect(texts(own)).toContain('OKORO');
    }
    // One word or two: no stray spaces, no crash on a missing middle name.
    expect(generatePersona('self_transfer_pair', { asOf: AS_OF, holder: { fullName: 'Chidi Obi' } }).account.account.name).toBe('OBI CHIDI');
    expect(generatePersona('self_transfer_pair', { asOf: AS_OF, holder: { fullName: 'Madonna' } }).account.account.name).toBe('MADONNA');
    expect(() => generatePersona('thin_file', { asOf: AS_OF, holder: { fullName: '   ' } })).toThrow('holder.fullName');
  });

  describe.each(PERSONA_NAMES)('%s', (name) => {
    it('should emit Mono v2 rows: 24-hex unique ids, positive integer kobo, integer balances, newest first', () => {
      const ids = new Set<string>();
      for (const { account, transactions } of accountsOf(persona(name))) {
        expect(account.account.id).toMatch(/^[0-9a-f]{24}$/);
        expect(account.account.bvn).toMatch(/^\d{4}$/);
        expect(transactions.length).toBeGreaterThan(0);
        for (const [i, t] of transactions.entries()) {
          expect(t.id).toMatch(/^[0-9a-f]{24}$/);
          ids.add(t.id);
          expect(Number.isSafeInteger(t.amount) && t.amount > 0).toBe(true);
          expect(Number.isSafeInteger(t.balance)).toBe(true);
          expect(['debit', 'credit']).toContain(t.type);
          if (i > 0) expect(t.date <= transactions[i - 1].date).toBe(true);
          expect(t.date < `${AS_OF}T00:00:00.000Z`).toBe(true);
        }
        expect(account.account.balance).toBe(transactions[0].balance);
      }
      expect(ids.size).toBe(accountsOf(persona(name)).reduce((s, a) => s + a.transactions.length, 0));
    });

    it('should keep running balances exactly continuous and EMTL consistent', () => {
      for (const { account, transactions } of accountsOf(persona(name))) {
        const ledger = transactions.map((t) => ({
          providerId: t.id,
          postedAt: t.date,
          direction: t.type,
          amountMinor: t.amount,
          balanceMinor: t.balance,
          narration: t.narration,
        }));
        expect(checkBalanceContinuity(account.account.id, ledger, { emtl: { absoluteTolerance: 0, relativeTolerance: 0 } })).toEqual([]);
      }
    });

    it('should carry labels that agree with the data', () => {
      const p = persona(name);
      const rows = new Map(
        accountsOf(p)
          .flatMap((a) => a.transactions)
          .map((t) => [t.id, t]),
      );
      const { labels } = p;
      expect(labels.persona).toBe(name);
      expect(labels.accountIds).toEqual(accountsOf(p).map((a) => a.account.account.id));
      expect(Object.keys(labels.transactionCategories).sort()).toEqual([...rows.keys()].sort());
      for (const id of labels.incomeTransactionIds) expect(rows.get(id)?.type).toBe('credit');
      for (const stream of labels.incomeStreams) for (const id of stream.transactionIds) expect(labels.incomeTransactionIds).toContain(id);
      const coverage = computeCoverage(
        'x',
        [...rows.values()].map((t) => ({ postedAt: t.date })),
        AS_OF,
        null,
      );
      expect(labels.expectedCompleteMonths).toBe(coverage.completeMonths);
      const lenderIds = new Set(loadDictionaries().lenders.map((l) => l.id));
      for (const lender of labels.lenders) expect(lenderIds.has(lender)).toBe(true);
      expect([0.1, 0.2]).toContain(labels.tolerance);
      expect(labels.expectedDecision.rationale.length).toBeGreaterThan(10);
    });

    it('should be categorised by the ingestion categoriser with high precision and recall', () => {
      const result = measureCategoriser(persona(name));
      expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
      expect(result.incomeRecall ?? 1).toBeGreaterThanOrEqual(0.95);
      for (const metric of result.perCategory.filter((m) =>
        ['loan_repayment', 'loan_disbursement', 'betting_stake', 'betting_payout', 'self_transfer', 'reversal'].includes(m.category),
      )) {
        expect({ category: metric.category, precision: (metric.precision ?? 1) >= 0.95, recall: (metric.recall ?? 1) >= 0.95 }).toEqual({
          category: metric.category,
          precision: true,
          recall: true,
        });
      }
    });
  });

  it('should pay salaries on business days, rolled back from the 25th–28th over weekends and holidays', () => {
    for (const name of ['salaried_monthly', 'salary_raise', 'mfa_bank', 'loan_stacker'] as const) {
      const p = persona(name);
      for (const id of p.labels.incomeTransactionIds) {
        const row = p.transactions.find((t) => t.id === id)!;
        const date = lagosDate(row.date);
        expect(isBusinessDay(date)).toBe(true);
        expect(Number(date.slice(8))).toBeGreaterThanOrEqual(21);
        expect(Number(date.slice(8))).toBeLessThanOrEqual(28);
      }
    }
  });

  it('should shape persona-specific ground truth', () => {
    expect(persona('loan_stacker').labels.lenders.length).toBeGreaterThanOrEqual(3);
    expect(persona('loan_stacker').labels.monthlyLoanRepaymentMinor).toBeGreaterThan(0);
    expect(persona('loan_stacker').labels.expectedFlags).toContain('loan_stacking');
    expect(Number(persona('gambler').labels.gamblingShare)).toBeGreaterThan(0.2);
    expect(persona('job_loss').labels.incomeStreams[0].active).toBe(false);
    expect(persona('job_loss').labels.expectedMonthlyIncomeMinor).toBe(0);
    expect(persona('thin_file').labels.expectedCompleteMonths).toBeLessThan(2);
    expect(persona('mfa_bank').options.mfa).toBe(true);
    expect(persona('salaried_monthly').options.mfa).toBe(false);
    expect(persona('self_transfer_pair').extraAccounts).toHaveLength(1);
    expect(persona('trader_irregular').labels.tolerance).toBe(0.2);
    expect(persona('salary_raise').labels.incomeStreams[0].amountMinor).toBe(persona('salary_raise').labels.expectedMonthlyIncomeMinor);
    const pair = persona('self_transfer_pair');
    const second = new Set(pair.extraAccounts[0].transactions.map((t) => t.id));
    expect(pair.labels.selfTransferIds.some((id) => second.has(id))).toBe(true);
  });
});

describe(previousBusinessDay.name, () => {
  it.each([
    ['2026-10-25', '2026-10-23'], // Sunday → Friday
    ['2026-10-01', '2026-09-30'], // Independence Day (Thursday)
    ['2026-04-06', '2026-04-02'], // Easter Monday → over the weekend and Good Friday
    ['2026-12-26', '2026-12-24'], // Boxing Day (Saturday) → over Christmas
    ['2026-10-27', '2026-10-27'], // an ordinary Tuesday
  ])('should roll %s back to %s', (date, expected) => {
    expect(previousBusinessDay(date)).toBe(expected);
  });
});

describe('generatePersona faults', () => {
  it('should drop rows and open an outage gap, labelling the balance breaks a continuity checker must find', () => {
    const clean = generatePersona('salaried_monthly', { asOf: AS_OF });
    const p = generatePersona('salaried_monthly', { asOf: AS_OF, faults: { dropRows: 3, outage: { from: '2026-06-10', days: 20 } } });
    const truth = p.labels.dataQuality!;
    expect(truth.removedTransactionIds.length).toBeGreaterThan(3);
    expect(p.transactions.length).toBe(clean.transactions.length - truth.removedTransactionIds.length);
    expect(truth.expectedBalanceBreakIds).toHaveLength(4);
    const ledger = p.transactions.map((t) => ({
      providerId: t.id,
      postedAt: t.date,
      direction: t.type,
      amountMinor: t.amount,
      balanceMinor: t.balance,
    }));
    const breaks = checkBalanceContinuity('a', ledger).filter((f) => f.kind === 'balance_break');
    expect(breaks.map((f) => f.transactionId).sort()).toEqual([...truth.expectedBalanceBreakIds].sort());
    const coverage = computeCoverage(
      'a',
      p.transactions.map((t) => ({ postedAt: t.date })),
      AS_OF,
      null,
    );
    expect(coverage.longestGapDays).toBeGreaterThanOrEqual(20);
    expect(clean.labels.dataQuality).toBeUndefined();
  });
});

describe(categoriseBorrowerTransactions.name, () => {
  it('should categorise independently of the order rows arrive in', () => {
    const persona = generatePersona('self_transfer_pair', { asOf: '2026-10-31', months: 3 });
    const a = parseMonoTransactions(persona.transactions);
    const b = parseMonoTransactions(persona.extraAccounts[0].transactions);
    const holder = persona.account.account.name;
    const baseline = JSON.stringify(
      categoriseBorrowerTransactions([
        { accountId: 'a', holderName: holder, transactions: a },
        { accountId: 'b', holderName: holder, transactions: b },
      ]),
    );
    fc.assert(
      fc.property(
        fc.shuffledSubarray(a, { minLength: a.length, maxLength: a.length }),
        fc.shuffledSubarray(b, { minLength: b.length, maxLength: b.length }),
        (sa, sb) => {
          const out = categoriseBorrowerTransactions([
            { accountId: 'a', holderName: holder, transactions: sa },
            { accountId: 'b', holderName: holder, transactions: sb },
          ]);
          expect(JSON.stringify(out)).toBe(baseline);
        },
      ),
      { numRuns: 20 },
    );
  });
});
