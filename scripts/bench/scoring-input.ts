/**
 * The scoring benchmark's borrower (shared by `scoring.ts` and the `stages.ts` development aid): synthetic,
 * deterministic (seeded PRNG) normalised transactions built in-process, exactly as the benchmark scores them.
 */
import type { NormalisedTransaction } from '../../src/common/domain/transaction.js';
import type { EngineInput } from '../../src/scoring/engine/index.js';
import { buildTransactions, engineAccount, monthlyDates, rng, type TxSpec } from '../../src/scoring/engine/testing/builders.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';

export const BENCH_AS_OF = '2026-10-31';
const asOf = BENCH_AS_OF;

/** A salaried borrower who also trades: salary, many small transfers in and out, POS, bills, two loan apps, a little betting. */
export function borrower(n: number): NormalisedTransaction[] {
  const r = rng(20261031);
  const specs: TxSpec[] = [];
  for (const date of monthlyDates('2025-11', '2026-10', 25)) {
    specs.push({
      date,
      direction: 'credit',
      amountMinor: 45_000_000,
      category: 'salary',
      counterparty: 'OKOMU AGRO ALLIED LTD',
      narration: `NIP/ZENITH/OKOMU AGRO ALLIED LTD/SALARY ${date.slice(0, 7)}`,
    });
  }
  for (const date of monthlyDates('2025-11', '2026-10', 5, false)) {
    specs.push({
      date,
      direction: 'debit',
      amountMinor: 4_500_000,
      category: 'loan_repayment',
      counterparty: 'CARBON',
      narration: 'PAYSTACK/CARBON LOAN REPAYMENT',
    });
  }
  const first = [
    'ADAEZE',
    'BOLA',
    'CHIDI',
    'DAYO',
    'EMEKA',
    'FUNMI',
    'GBENGA',
    'HALIMA',
    'IFEOMA',
    'JUMOKE',
    'KELECHI',
    'MUSA',
    'NGOZI',
    'OBINNA',
    'TUNDE',
    'YETUNDE',
    'ZAINAB',
    'SEGUN',
    'AISHA',
    'UCHE',
  ];
  const last = [
    'OKAFOR',
    'ADEYEMI',
    'BELLO',
    'OKONKWO',
    'LAWAL',
    'NWOSU',
    'EZE',
    'IBRAHIM',
    'AFOLABI',
    'CHUKWU',
    'OGUNLEYE',
    'ABUBAKAR',
    'ONYEKA',
    'ADELEKE',
    'IBEKWE',
  ];
  // 300 counterparties with realistic two-part names (first names and surnames repeat across people).
  const people = Array.from(
    { length: 300 },
    (_, i) => `${first[i % first.length]} ${last[(i * 7 + Math.floor(i / first.length)) % last.length]}`,
  );
  const merchants = ['SHOPRITE LEKKI', 'SPAR GARKI', 'CHICKEN REPUBLIC', 'MEDPLUS YABA', 'TOTAL ENERGIES', 'JUMIA'];
  const start = Date.UTC(2025, 10, 1) / 86_400_000;
  while (specs.length < n) {
    const date = new Date((start + Math.floor(r() * 364)) * 86_400_000).toISOString().slice(0, 10);
    const u = r();
    if (u < 0.3)
      specs.push({
        date,
        direction: 'credit',
        amountMinor: 50_000 + Math.floor(r() * 3_000_000),
        category: 'transfer_in',
        counterparty: people[Math.floor(r() * people.length)],
      });
    else if (u < 0.55)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 20_000 + Math.floor(r() * 2_000_000),
        category: 'card_pos',
        counterparty: merchants[Math.floor(r() * merchants.length)],
        rail: 'POS',
      });
    else if (u < 0.75)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 50_000 + Math.floor(r() * 2_500_000),
        category: 'transfer_out',
        counterparty: people[Math.floor(r() * people.length)],
      });
    else if (u < 0.85)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 5_000,
        category: 'bank_charges',
        counterparty: null,
        rail: 'CHARGE',
        narration: 'Electronic Money Transfer Levy',
      });
    else if (u < 0.92)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 10_000 + Math.floor(r() * 500_000),
        category: 'airtime_data',
        counterparty: 'MTN',
        rail: 'AIRTIME',
      });
    else if (u < 0.97)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 100_000 + Math.floor(r() * 2_000_000),
        category: 'utilities',
        counterparty: 'IKEDC PREPAID TOKEN',
        rail: 'BILLS',
      });
    else
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 100_000 + Math.floor(r() * 500_000),
        category: 'betting_stake',
        counterparty: 'SPORTYBET',
      });
  }
  return buildTransactions(specs, { openingBalanceMinor: 50_000_000 });
}


/** The engine input the benchmark scores: one account, `n` transactions, the default policy. */
export function benchInput(n: number): EngineInput {
  const transactions = borrower(n);
  return {
    borrowerId: 'bench',
    accounts: [engineAccount('acc-1', transactions, asOf)],
    transactions,
    asOf,
    policy: DEFAULT_POLICY,
  };
}
