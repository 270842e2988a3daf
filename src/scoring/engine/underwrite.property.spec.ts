import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_POLICY } from '../policy/index.js';
import { buildTransactions, engineAccount, everyNDays, salariedSpecs, type SalariedOptions, type TxSpec } from './testing/builders.js';
import type { EngineInput } from './types.js';
import { underwrite } from './underwrite.js';

const asOf = '2026-10-31';

function inputOf(specs: TxSpec[]): EngineInput {
  const transactions = buildTransactions(specs, { openingBalanceMinor: 2_000_000 });
  return { accounts: [engineAccount('acc-1', transactions, asOf)], transactions, asOf, policy: DEFAULT_POLICY };
}

const limitOf = (specs: TxSpec[]): number => underwrite(inputOf(specs)).limit.recommendedMinor;

const borrower = fc.record({
  seed: fc.integer({ min: 1, max: 10_000 }),
  salaryMinor: fc.integer({ min: 5_000_000, max: 200_000_000 }),
  dailySpendMinor: fc.integer({ min: 100_000, max: 3_000_000 }),
  loanRepaymentMinor: fc.constantFrom(0, 2_000_000, 5_000_000),
  from: fc.constantFrom('2026-01', '2026-04', '2026-07'),
});

const runs = { numRuns: 25 };

describe(underwrite.name, () => {
  it('should never lower the limit when salary rises', () => {
    fc.assert(
      fc.property(borrower, fc.integer({ min: 0, max: 100_000_000 }), (b: SalariedOptions, raise) => {
        expect(limitOf(salariedSpecs({ ...b, salaryMinor: b.salaryMinor! + raise }))).toBeGreaterThanOrEqual(limitOf(salariedSpecs(b)));
      }),
      runs,
    );
  });

  it('should never raise the limit when loan repayments are added', () => {
    fc.assert(
      fc.property(
        borrower,
        fc.integer({ min: 100_000, max: 30_000_000 }),
        fc.integer({ min: 1, max: 4 }),
        (b: SalariedOptions, repayment, lenders) => {
          const extra: TxSpec[] = [];
          for (let l = 0; l < lenders; l += 1) {
            for (const date of everyNDays(`${b.from}-05`, '2026-10-28', 30)) {
              extra.push({
                date,
                direction: 'debit',
                amountMinor: repayment,
                category: 'loan_repayment',
                counterparty: `NEWLENDER${l}`,
                narration: `NIP/NEWLENDER${l}/REPAYMENT`,
              });
            }
          }
          const base = salariedSpecs(b);
          expect(limitOf([...base, ...extra])).toBeLessThanOrEqual(limitOf(base));
        },
      ),
      runs,
    );
  });

  it('should never raise the limit when betting is added', () => {
    fc.assert(
      fc.property(borrower, fc.integer({ min: 10_000, max: 20_000_000 }), fc.boolean(), (b: SalariedOptions, stake, withPayouts) => {
        const extra: TxSpec[] = [];
        for (const date of everyNDays(`${b.from}-03`, '2026-10-28', 7)) {
          extra.push({
            date,
            direction: 'debit',
            amountMinor: stake,
            category: 'betting_stake',
            counterparty: 'SPORTYBET',
            narration: 'WEB/SPORTYBET/DEPOSIT',
          });
          if (withPayouts)
            extra.push({
              date,
              direction: 'credit',
              amountMinor: Math.floor(stake / 2),
              category: 'betting_payout',
              counterparty: 'SPORTYBET',
              narration: 'SPORTYBET/WITHDRAWAL',
            });
        }
        const base = salariedSpecs(b);
        expect(limitOf([...base, ...extra])).toBeLessThanOrEqual(limitOf(base));
      }),
      runs,
    );
  });

  it('should give byte-identical results whatever the transaction order and with duplicated rows', () => {
    fc.assert(
      fc.property(
        borrower,
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 20 }),
        (b: SalariedOptions, shuffleSeed, dupCount) => {
          const input = inputOf(salariedSpecs(b));
          const txs = [...input.transactions];
          let s = shuffleSeed;
          for (let i = txs.length - 1; i > 0; i -= 1) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const k = s % (i + 1);
            [txs[i], txs[k]] = [txs[k], txs[i]];
          }
          for (let d = 0; d < dupCount; d += 1) txs.push({ ...txs[(d * 7) % txs.length] });
          const a = JSON.stringify(underwrite(input));
          const b2 = JSON.stringify(underwrite({ ...input, transactions: txs }));
          expect(b2).toBe(a);
        },
      ),
      runs,
    );
  });
});
