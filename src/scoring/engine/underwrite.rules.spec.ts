/**
 * Engine 1.2.0 / policy 1.1.0 rules: person-to-person credits, own-account moves and pass-through, chronic
 * overdraft, missed salary — and that a policy stored before them (1.0.0) still scores by the old rules.
 */
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY, DEFAULT_POLICY_1_0_0 } from '../policy/index.js';
import { policyVersion, type Policy } from './policy.js';
import { buildTransactions, engineAccount, everyNDays, monthlyDates, rng, salariedSpecs, type TxSpec } from './testing/builders.js';
import type { EngineInput } from './types.js';
import { underwrite } from './underwrite.js';

const asOf = '2026-10-31';
const SALARY = 40_000_000;
const healthy = { salaryMinor: SALARY, dailySpendMinor: 500_000 };

function inputOf(specs: TxSpec[], o: { asOf?: string; policy?: Policy; opening?: number } = {}): EngineInput {
  const day = o.asOf ?? asOf;
  const transactions = buildTransactions(specs, { openingBalanceMinor: o.opening ?? 10_000_000 });
  return { accounts: [engineAccount('acc-1', transactions, day)], transactions, asOf: day, policy: o.policy ?? DEFAULT_POLICY };
}

/** Several accounts of one borrower, each with its own running balance. */
function multiInput(
  byAccount: Record<string, { specs: TxSpec[]; opening: number }>,
  day = asOf,
  policy: Policy = DEFAULT_POLICY,
): EngineInput {
  const transactions = Object.entries(byAccount).flatMap(([accountId, a]) =>
    buildTransactions(
      a.specs.map((s) => ({ ...s, accountId })),
      { accountId, openingBalanceMinor: a.opening },
    ),
  );
  const accounts = Object.keys(byAccount).map((id) => engineAccount(id, transactions, day));
  return { accounts, transactions, asOf: day, policy };
}

/**
 * Sporadic money from family and friends, written the way different banks and wallets write an inward transfer
 * (some with the normaliser's counterparty, some with only a narration). Invented names.
 */
function familyCredits(seed: number): TxSpec[] {
  const r = rng(seed);
  const people: Array<{ counterparty: string | null; narration: string }> = [
    { counterparty: 'CHIDI OKONKWO', narration: 'NIP TRANSFER FROM CHIDI OKONKWO' },
    { counterparty: null, narration: 'NIP CR/ADAEZE NWANKWO/GTB/0000123456' },
    { counterparty: null, narration: 'Transfer from TUNDE BAKARE | OPay' },
    { counterparty: null, narration: 'TRF FRM MUSA ABDULLAHI' },
    { counterparty: 'FOLASADE BELLO', narration: 'kip:FOLASADE BELLO/birthday' },
    { counterparty: null, narration: 'MOB/UTO/IFEOMA EZE/upkeep' },
  ];
  const dates = [
    '2026-05-03',
    '2026-05-19',
    '2026-06-11',
    '2026-07-02',
    '2026-07-23',
    '2026-08-14',
    '2026-09-06',
    '2026-09-28',
    '2026-10-12',
  ];
  return dates.map((date, k) => {
    const p = people[k % people.length];
    return {
      date,
      direction: 'credit' as const,
      amountMinor: 2_000_000 + Math.round(r() * 60) * 100_000,
      category: 'transfer_in' as const,
      counterparty: p.counterparty,
      narration: p.narration,
    };
  });
}

describe(`${underwrite.name}: person-to-person credits (income.personToPerson)`, () => {
  const family = familyCredits(3);
  // Analysed months are May–September (October is not complete on 31 October): credits published are those.
  const inWindow = family.filter((t) => t.date < '2026-10-01');
  const familyTotal = inWindow.reduce((s, t) => s + t.amountMinor, 0);

  it('should not count sporadic credits from individuals for a salaried borrower, and say so with a counterfactual', () => {
    const r = underwrite(inputOf([...salariedSpecs(healthy), ...family]));
    expect(r.income.verifiedMonthlyMinor).toBe(SALARY);
    expect(r.income.irregularMonthlyMinor).toBe(0);
    const p2p = r.income.excluded.personToPerson!;
    expect(p2p).toMatchObject({ amountMinor: familyTotal, payers: 6, businessPattern: false });
    expect(p2p.transactionIds).toHaveLength(inWindow.length);
    expect(r.flags).toContain('person_to_person_excluded');
    const reason = r.reasons.find((x) => x.code === 'P2P_CREDITS_EXCLUDED');
    expect(reason).toMatchObject({ severity: 'info', values: { amountMinor: familyTotal, payers: 6, credits: inWindow.length } });
    expect(reason?.message).toContain('Credits from individuals not counted');
    expect(r.features.find((f) => f.name === 'person_to_person_credits_excluded')?.value).toBe(familyTotal);
    // The counterfactual re-runs the limit with the credits counted (income and free cash flow).
    const before = underwrite(inputOf([...salariedSpecs(healthy), ...family], { policy: DEFAULT_POLICY_1_0_0 }));
    expect(before.income.verifiedMonthlyMinor).toBeGreaterThan(SALARY);
    const delta = before.limit.recommendedMinor - r.limit.recommendedMinor;
    expect(delta).toBeGreaterThan(0);
    expect(reason?.counterfactual?.limitDeltaMinor).toBe(delta);
  });

  it('should keep counting them when there is no regular income (a trader or a gig worker relies on them)', () => {
    const r = underwrite(inputOf(family));
    expect(r.income.streams.filter((s) => s.countedMonthlyMinor > 0)).toEqual([]);
    expect(r.income.excluded.personToPerson).toMatchObject({ amountMinor: 0, payers: 0, transactionIds: [] });
    expect(r.income.irregular.transactionIds.length).toBeGreaterThan(0);
  });

  it('should keep counting them when they look like a business (many payers, frequent)', () => {
    const r = rng(11);
    const first = ['AMAKA', 'BAYO', 'CHIKE', 'DAYO', 'EBUKA', 'FEMI', 'GOZIE', 'HAUWA', 'IKE', 'JUMOKE'];
    const customers: TxSpec[] = everyNDays('2026-04-01', '2026-10-30', 2).flatMap((date, k) =>
      [0, 1, 2, 3, 4].map((j) => ({
        date,
        direction: 'credit' as const,
        amountMinor: 300_000 + Math.round(r() * 20) * 50_000,
        category: 'transfer_in' as const,
        counterparty: `${first[(k + j * 3) % first.length]} ${['ADAMU', 'OBI', 'SHEHU'][j % 3]}`,
      })),
    );
    const res = underwrite(inputOf([...salariedSpecs(healthy), ...customers]));
    expect(res.income.excluded.personToPerson).toMatchObject({ amountMinor: 0, businessPattern: true });
    expect(res.income.irregularMonthlyMinor).toBeGreaterThan(0);
    expect(res.reasons.map((x) => x.code)).not.toContain('P2P_CREDITS_EXCLUDED');
  });

  it('should count an individual who pays on a cadence (a recurring stream), and exclude only the sporadic ones', () => {
    const allowance: TxSpec[] = monthlyDates('2026-04', '2026-10', 5).map((date) => ({
      date,
      direction: 'credit',
      amountMinor: 5_000_000,
      category: 'transfer_in',
      counterparty: 'EMEKA NWOSU',
      narration: 'NIP TRANSFER FROM EMEKA NWOSU',
    }));
    const r = underwrite(inputOf([...salariedSpecs(healthy), ...allowance, ...family]));
    const stream = r.income.streams.find((s) => s.counterparty.startsWith('EMEKA NWOSU'));
    expect(stream).toMatchObject({ frequency: 'monthly', status: 'ACTIVE' });
    expect(stream!.countedMonthlyMinor).toBe(5_000_000);
    expect(r.income.verifiedMonthlyMinor).toBe(SALARY + 5_000_000);
    expect(r.income.excluded.personToPerson?.amountMinor).toBe(familyTotal);
  });

  it('should never exclude business credits (a one-off payment from a company stays irregular income)', () => {
    const business: TxSpec[] = ['2026-05-08', '2026-07-09', '2026-09-10', '2026-10-08'].map((date) => ({
      date,
      direction: 'credit',
      amountMinor: 4_000_000,
      category: 'transfer_in',
      counterparty: 'BRIGHTSTAR CONCEPTS',
    }));
    const r = underwrite(inputOf([...salariedSpecs(healthy), ...business]));
    expect(r.income.excluded.personToPerson?.amountMinor).toBe(0);
    expect(r.income.irregular.transactionIds).toHaveLength(3); // the October one is outside the analysed months
  });

  it('should count them as before under a policy stored without the rule (1.0.0), publishing nothing new', () => {
    const r = underwrite(inputOf([...salariedSpecs(healthy), ...family], { policy: DEFAULT_POLICY_1_0_0 }));
    expect(r.income.verifiedMonthlyMinor).toBeGreaterThan(SALARY);
    expect('personToPerson' in r.income.excluded).toBe(false);
    expect(r.flags).not.toContain('person_to_person_excluded');
    expect(r.features.map((f) => f.name)).not.toContain('person_to_person_credits_excluded');
  });
});

describe(`${underwrite.name}: own-account moves and pass-through`, () => {
  /** Salary into acc-1, swept the next day to the borrower's own acc-2, which pays the bills. */
  function sweep(category: 'self_transfer' | 'mislabelled', payee = 'ADA OKAFOR'): EngineInput {
    const salary = salariedSpecs({ ...healthy, dailySpendMinor: 10_000 }).filter((t) => t.category === 'salary');
    const out: TxSpec[] = [];
    const into: TxSpec[] = [];
    for (const s of salary) {
      const next = new Date(`${s.date}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      const date = next.toISOString().slice(0, 10);
      const amountMinor = SALARY - 200_000;
      out.push({
        date,
        direction: 'debit',
        amountMinor,
        category: category === 'self_transfer' ? 'self_transfer' : 'transfer_out',
        counterparty: payee,
      });
      into.push({
        date,
        direction: 'credit',
        amountMinor,
        category: category === 'self_transfer' ? 'self_transfer' : 'transfer_in',
        counterparty: null,
        narration: 'TRF FROM 0123456789',
      });
    }
    const spend: TxSpec[] = everyNDays('2026-04-02', '2026-10-28', 3).map((date) => ({
      date,
      direction: 'debit',
      amountMinor: 3_000_000,
      category: 'card_pos',
      counterparty: 'SHOPRITE',
    }));
    return multiInput({
      'acc-1': { specs: [...salary, ...out], opening: 1_000_000 },
      'acc-2': { specs: [...into, ...spend], opening: 5_000_000 },
    });
  }

  it('should not flag a salary swept monthly to the borrower’s own second linked account (self-transfers)', () => {
    const r = underwrite(sweep('self_transfer'));
    expect(r.risk.passThrough.detected).toBe(false);
    expect(r.flags).not.toContain('pass_through');
    expect(r.reasons.map((x) => x.code)).not.toContain('PASS_THROUGH_ACCOUNT');
    expect(r.income.verifiedMonthlyMinor).toBe(SALARY);
  });

  it('should not flag the sweep when the categoriser missed it: a transfer to a payee named like the holder, or a cross-account pair', () => {
    for (const input of [sweep('mislabelled', 'ADA OKAFOR KUDA'), sweep('mislabelled', 'LANDLORD ESTATES')]) {
      // The second payee is not the holder, but the debit has a same-amount credit on the other linked account.
      const r = underwrite(input);
      expect(r.risk.passThrough.detected).toBe(false);
      expect(r.flags).not.toContain('pass_through');
    }
  });

  it('should still flag inflows forwarded to third parties', () => {
    const salary = salariedSpecs({ ...healthy, dailySpendMinor: 10_000 }).filter((t) => t.category === 'salary');
    const forwarded: TxSpec[] = salary.map((s) => ({
      date: s.date,
      direction: 'debit',
      amountMinor: SALARY - 200_000,
      category: 'transfer_out',
      counterparty: 'BOSS VENTURES',
    }));
    const r = underwrite(inputOf([...salary, ...forwarded]));
    expect(r.risk.passThrough.detected).toBe(true);
  });
});

describe(`${underwrite.name}: chronic overdraft (risk.chronicOverdraft)`, () => {
  it('should refer an account negative on 90 of 90 days, with the days needed to clear it', () => {
    const input = inputOf(salariedSpecs(healthy), { opening: -300_000_000 });
    const r = underwrite(input);
    expect(r.cashFlow.negativeBalanceDays).toBe(90);
    expect(r.risk.chronicOverdraft).toEqual({
      detected: true,
      accountId: null,
      negativeDays: 90,
      windowDays: 90,
      share: '1.0000',
      shareThreshold: '0.5',
    });
    expect(r.decision).toBe('refer');
    expect(r.flags).toContain('chronic_overdraft');
    const reason = r.reasons.find((x) => x.code === 'CHRONIC_OVERDRAFT');
    expect(reason?.severity).toBe('review');
    expect(reason?.counterfactual).toEqual({
      message: 'Would not be referred for this with a balance at or above ₦0 on at least 45 more of the 90 days.',
      limitDeltaMinor: 0,
    });
    // Before policy 1.1.0 the same borrower was approved.
    expect(underwrite({ ...input, policy: DEFAULT_POLICY_1_0_0 }).decision).toBe('approve');
  });

  it('should catch one overdrawn account even when another linked account keeps the summed balance positive', () => {
    const input = multiInput({
      'acc-1': { specs: salariedSpecs(healthy), opening: -300_000_000 },
      'acc-2': {
        specs: [{ date: '2026-04-10', direction: 'credit', amountMinor: 10_000, category: 'interest', counterparty: null }],
        opening: 900_000_000,
      },
    });
    const r = underwrite(input);
    expect(r.cashFlow.negativeBalanceDays).toBe(0);
    expect(r.risk.chronicOverdraft).toMatchObject({ detected: true, accountId: 'acc-1', negativeDays: 90 });
    expect(r.decision).toBe('refer');
  });

  it('should not fire at or below the share, nor under a 1.0.0 policy', () => {
    const r = underwrite(inputOf(salariedSpecs(healthy)));
    expect(r.risk.chronicOverdraft?.detected).toBe(false);
    expect(r.reasons.map((x) => x.code)).not.toContain('CHRONIC_OVERDRAFT');
    const old = underwrite(inputOf(salariedSpecs(healthy), { opening: -300_000_000, policy: DEFAULT_POLICY_1_0_0 }));
    expect('chronicOverdraft' in old.risk).toBe(false);
    expect(old.flags).not.toContain('chronic_overdraft');
  });
});

describe(`${underwrite.name}: missed salary (income.missedSalaryBusinessDays)`, () => {
  // Salary on the 25th April–October, spending through November: the November salary (due Wed 25 Nov) never came.
  const noNovember = salariedSpecs({ ...healthy, to: '2026-11' }).filter((t) => !(t.category === 'salary' && t.date >= '2026-11-01'));

  it('should refer a salary more than 3 business days past its predicted date, saying when it was expected', () => {
    const r = underwrite(inputOf(noNovember, { asOf: '2026-12-03' }));
    const s = r.income.streams[0];
    expect(s).toMatchObject({ status: 'ACTIVE', isSalary: true, predictedNextDate: '2026-11-25' });
    // 26, 27, 30 Nov, 1 and 2 Dec: five business days on which it could have arrived.
    expect(s.missed).toEqual({ expectedDate: '2026-11-25', businessDaysLate: 5 });
    expect(r.flags).toContain('salary_missed');
    expect(r.decision).toBe('refer');
    const reason = r.reasons.find((x) => x.code === 'SALARY_MISSED');
    expect(reason?.severity).toBe('review');
    expect(reason?.message).toContain('was expected 25 Nov, not received');
    expect(reason?.values).toMatchObject({ expectedDate: '2026-11-25', businessDaysLate: 5, maxBusinessDays: 3 });
    expect(underwrite({ ...inputOf(noNovember, { asOf: '2026-12-03' }), policy: DEFAULT_POLICY_1_0_0 }).decision).toBe('approve');
  });

  it('should not call a salary missed within 3 business days (weekend and the public-holiday calendar skipped)', () => {
    const r = underwrite(inputOf(noNovember, { asOf: '2026-11-30' })); // 26 and 27 Nov only
    expect(r.income.streams[0].missed).toBeNull();
    expect(r.reasons.map((x) => x.code)).not.toContain('SALARY_MISSED');
  });

  it('should not call it missed when a new employer’s salary arrived after it (an employer change)', () => {
    const newJob: TxSpec[] = ['2026-10-30', '2026-11-27'].map((date) => ({
      date,
      direction: 'credit',
      amountMinor: 42_000_000,
      category: 'salary',
      counterparty: 'NEWCO SYSTEMS LTD',
      narration: 'NIP/NEWCO SYSTEMS LTD/SALARY',
    }));
    const r = underwrite(inputOf([...noNovember, ...newJob], { asOf: '2026-12-03' }));
    const old = r.income.streams.find((s) => s.lastDate === '2026-10-23')!; // ACME's last salary
    expect(old).toMatchObject({ status: 'ACTIVE', predictedNextDate: '2026-11-25', missed: null });
    expect(r.flags).not.toContain('salary_missed');
  });

  it('should publish no `missed` field under a 1.0.0 policy', () => {
    const r = underwrite(inputOf(noNovember, { asOf: '2026-12-03', policy: DEFAULT_POLICY_1_0_0 }));
    expect(r.income.streams.every((s) => !('missed' in s))).toBe(true);
  });
});

describe('stored 1.0.0 policies', () => {
  it('should keep their policyVersion hash (the new fields are optional and absent)', () => {
    expect(policyVersion(DEFAULT_POLICY_1_0_0)).toBe('default@1.0.0+ae4ab30861fb');
  });
});
