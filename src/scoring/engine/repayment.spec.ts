import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_POLICY } from '../policy/index.js';
import { validatePolicy } from './policy.js';
import { assessRepayment, graduationStep, matchCollections } from './repayment.js';
import { buildTransactions, engineAccount, salariedSpecs } from './testing/builders.js';
import type { EngineInput, OwnLoanInput } from './types.js';
import { underwrite } from './underwrite.js';

const asOf = '2026-10-31';
const DEFAULT_REPAYMENT = DEFAULT_POLICY.repayment!;
/** The default rules with the ladder switched on (a ₦50,000 starter cap). */
const POLICY = { ...DEFAULT_REPAYMENT, graduation: { ...DEFAULT_REPAYMENT.graduation, starterCapMinor: 5_000_000 } };
const LADDER_POLICY = validatePolicy({ ...JSON.parse(JSON.stringify(DEFAULT_POLICY)), repayment: POLICY });
const STEP = DEFAULT_POLICY.product.stepMinor;

/** A loan of `n` monthly instalments from `disbursedOn`, each paid `lateDays` after its due date (null: unpaid). */
function loan(o: {
  principalMinor?: number;
  disbursedOn?: string;
  n?: number;
  lateDays?: Array<number | null>;
  status?: OwnLoanInput['status'];
  daysPastDue?: number;
  endedOn?: string | null;
}): OwnLoanInput {
  const disbursed = o.disbursedOn ?? '2026-04-10';
  const n = o.n ?? 3;
  const instalments = Array.from({ length: n }, (_, k) => {
    const due = new Date(`${disbursed}T00:00:00Z`);
    due.setUTCMonth(due.getUTCMonth() + k + 1);
    const late = o.lateDays && k < o.lateDays.length ? o.lateDays[k] : 0;
    const dueDate = due.toISOString().slice(0, 10);
    const paid = late === null ? null : new Date(due.getTime() + late * 86_400_000).toISOString().slice(0, 10);
    return { dueDate, paidInFullOn: paid };
  });
  const allPaid = instalments.every((i) => i.paidInFullOn !== null);
  const status = o.status ?? (allPaid ? 'closed' : 'current');
  return {
    principalMinor: o.principalMinor ?? 5_000_000,
    disbursedOn: disbursed,
    status,
    repaidInFull: status === 'closed' && allPaid,
    daysPastDue: o.daysPastDue ?? 0,
    endedOn: o.endedOn ?? (status === 'closed' ? instalments.at(-1)!.paidInFullOn : null),
    instalments,
    repayments: instalments.filter((i) => i.paidInFullOn !== null).map((i) => ({ paidOn: i.paidInFullOn!, amountMinor: Math.ceil((o.principalMinor ?? 5_000_000) / n) })),
  };
}

describe(assessRepayment.name, () => {
  it('should step the cap up by the policy share after a loan repaid on time', () => {
    const r = assessRepayment([loan({ principalMinor: 5_000_000 })], asOf, POLICY, STEP);
    expect(r).toMatchObject({ loans: 1, openLoans: 0, loansRepaid: 1, loansRepaidOnTime: 1, instalmentsDue: 3, instalmentsOnTime: 3, onTimeShare: '1.0000' });
    expect(r.graduation).toMatchObject({ capMinor: 7_500_000, basisMinor: 5_000_000, largestLentMinor: 5_000_000, stepBlocked: null, nextCapMinor: null });
  });

  it('should count payments within the grace days as on time, and later ones as arrears that block the step', () => {
    const graced = assessRepayment([loan({ lateDays: [POLICY.onTimeGraceDays, 0, 0] })], asOf, POLICY, STEP);
    expect(graced.loansRepaidOnTime).toBe(1);
    const late = assessRepayment([loan({ lateDays: [0, POLICY.onTimeGraceDays + 1, 0] })], asOf, POLICY, STEP);
    expect(late).toMatchObject({ loansRepaid: 1, loansRepaidOnTime: 0, instalmentsOnTime: 2, maxDpd: POLICY.onTimeGraceDays + 1 });
    // Held at the largest loan lent: no step without an on-time repayment.
    expect(late.graduation).toMatchObject({ capMinor: 5_000_000, basisMinor: 0, stepBlocked: 'no_on_time_repayment' });
  });

  it('should hold the step while arrears ended within the clean months, then give it', () => {
    const history = [
      loan({ principalMinor: 5_000_000, disbursedOn: '2026-01-05' }),
      loan({ principalMinor: 5_000_000, disbursedOn: '2026-06-05', lateDays: [10, 0, 0] }),
    ];
    const soon = assessRepayment(history, asOf, POLICY, STEP);
    expect(soon.monthsSinceLastArrears).toBe(3);
    expect(soon.graduation.stepBlocked).toBe(POLICY.graduation.stepCleanMonths > 3 ? 'recent_arrears' : null);
    const strict = assessRepayment(history, asOf, { ...POLICY, graduation: { ...POLICY.graduation, stepCleanMonths: 6 } }, STEP);
    expect(strict.graduation).toMatchObject({ capMinor: 5_000_000, stepBlocked: 'recent_arrears' });
    const later = assessRepayment(history, '2027-03-31', { ...POLICY, graduation: { ...POLICY.graduation, stepCleanMonths: 6 } }, STEP);
    expect(later.graduation).toMatchObject({ capMinor: 7_500_000, stepBlocked: null });
  });

  it('should report current days past due, ongoing arrears and the next rung of an open loan', () => {
    const open = loan({ principalMinor: 8_000_000, disbursedOn: '2026-08-15', lateDays: [0, null, null], status: 'late', daysPastDue: 16 });
    const r = assessRepayment([loan({ principalMinor: 5_000_000 }), open], asOf, POLICY, STEP);
    expect(r).toMatchObject({ openLoans: 1, currentDpd: 16, monthsSinceLastArrears: 0 });
    expect(r.graduation.capMinor).toBe(8_000_000); // the largest lent; the step of the 5,000,000 is blocked by the arrears
    expect(r.graduation.nextCapMinor).toBeNull(); // in arrears: no next rung to promise
    const onTrack = assessRepayment([loan({ principalMinor: 5_000_000 }), loan({ principalMinor: 8_000_000, disbursedOn: '2026-09-20', lateDays: [0, null, null] })], asOf, POLICY, STEP);
    expect(onTrack.graduation).toMatchObject({ capMinor: 8_000_000, nextCapMinor: 12_000_000 });
  });

  it('should flag defaults and write-offs, and stop ageing a written-off loan when it ended', () => {
    const off = loan({ lateDays: [0, null, null], status: 'written_off', endedOn: '2026-09-01' });
    const r = assessRepayment([off], asOf, POLICY, STEP);
    expect(r).toMatchObject({ writtenOff: true, defaulted: false, openLoans: 0 });
    expect(r.maxDpd).toBe(Math.round((Date.parse('2026-09-01') - Date.parse(off.instalments[1].dueDate)) / 86_400_000));
    expect(r.graduation.largestLentMinor).toBe(0);
  });

  it('should cap a first loan at the starter amount, and cap nothing when the policy has no starter (ladder off)', () => {
    expect(assessRepayment([], asOf, POLICY, STEP).graduation).toMatchObject({ capMinor: 5_000_000, starterCapMinor: 5_000_000 });
    const off = assessRepayment([loan({ principalMinor: 5_000_000 })], asOf, DEFAULT_REPAYMENT, STEP);
    expect(off.graduation).toMatchObject({ capMinor: null, nextCapMinor: null, basisMinor: 5_000_000 });
    expect(off.loansRepaidOnTime).toBe(1);
  });

  it('should never lower the cap below the largest loan lent and round the step down to the product step (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ principal: fc.integer({ min: 1_000, max: 50_000 }).map((k) => k * 1_000), late: fc.array(fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }), { minLength: 1, maxLength: 6 }) }), {
          maxLength: 5,
        }),
        (specs) => {
          const loans = specs.map((s, k) =>
            loan({ principalMinor: s.principal, disbursedOn: `2025-${String(k + 1).padStart(2, '0')}-10`, n: s.late.length, lateDays: s.late }),
          );
          const r = assessRepayment(loans, asOf, POLICY, STEP);
          if (loans.length > 0) expect(r.graduation.capMinor).toBeGreaterThanOrEqual(r.graduation.largestLentMinor);
          expect(r.instalmentsOnTime).toBeLessThanOrEqual(r.instalmentsDue);
          expect(graduationStep(r.graduation.basisMinor, POLICY.graduation.stepShare, STEP) % STEP).toBe(0);
        },
      ),
    );
  });
});

describe('underwrite with the lender\u2019s own loans', () => {
  const transactions = buildTransactions(salariedSpecs({ salaryMinor: 40_000_000, dailySpendMinor: 500_000 }), { openingBalanceMinor: 10_000_000 });
  const base: EngineInput = { accounts: [engineAccount('acc-1', transactions, asOf)], transactions, asOf, policy: DEFAULT_POLICY };

  it('should not cap the limit under the default policy (ladder off) while still reporting the record', () => {
    const r = underwrite({ ...base, ownLoans: [loan({ principalMinor: 5_000_000 })] });
    expect(r.limit.recommendedMinor).toBe(underwrite(base).limit.recommendedMinor);
    expect(r.repayment).toMatchObject({ loansRepaidOnTime: 1, graduation: { capMinor: null } });
    expect(r.limit.components.graduationCapMinor).toBeNull();
  });

  it('should cap a first loan at the starter amount when the ladder is on', () => {
    const r = underwrite({ ...base, policy: LADDER_POLICY, ownLoans: [] });
    expect(r.limit).toMatchObject({ recommendedMinor: 5_000_000, bindingConstraint: 'graduation' });
    expect(r.reasons.find((x) => x.code === 'GRADUATION_CAP')?.message).toBe('A first loan with us is capped at the starter amount of ₦50,000.');
  });

  it('should leave a decision without own loans exactly as before (no repayment result, no graduation component)', () => {
    const r = underwrite(base);
    expect(r.repayment).toBeUndefined();
    expect(r.limit.components).not.toHaveProperty('graduationCapMinor');
    const legacy = validatePolicy({ ...JSON.parse(JSON.stringify(DEFAULT_POLICY)), repayment: undefined });
    expect(underwrite({ ...base, policy: legacy, ownLoans: [loan({})] }).repayment).toBeUndefined();
  });

  it('should cap the limit by the ladder and say what repaying on time would add', () => {
    const uncapped = underwrite(base).limit.recommendedMinor;
    expect(uncapped).toBeGreaterThan(7_500_000);
    const r = underwrite({ ...base, policy: LADDER_POLICY, ownLoans: [loan({ principalMinor: 5_000_000 })] });
    expect(r.limit.recommendedMinor).toBe(7_500_000);
    expect(r.limit.bindingConstraint).toBe('graduation');
    expect(r.limit.components.graduationCapMinor).toBe(7_500_000);
    expect(r.decision).toBe('approve');
    const reason = r.reasons.find((x) => x.code === 'GRADUATION_CAP');
    expect(reason).toMatchObject({ severity: 'limit', values: { capMinor: 7_500_000, basisMinor: 5_000_000, loansRepaidOnTime: 1 } });
    expect(reason?.counterfactual?.message).toMatch(/after a loan of ₦75,000 is repaid on time/);
    expect(reason?.counterfactual?.limitDeltaMinor).toBe(Math.min(uncapped, graduationStep(7_500_000, POLICY.graduation.stepShare, STEP)) - 7_500_000);
  });

  it('should hold the limit at the starter amount while a smaller first loan is open, saying so', () => {
    const open = loan({ principalMinor: 3_000_000, disbursedOn: '2026-10-01', lateDays: [null, null, null], status: 'current' });
    const r = underwrite({ ...base, policy: LADDER_POLICY, ownLoans: [open] });
    expect(r.limit).toMatchObject({ recommendedMinor: 5_000_000, bindingConstraint: 'graduation' });
    const reason = r.reasons.find((x) => x.code === 'GRADUATION_CAP');
    expect(reason?.message).toBe('The limit is held at the starter amount of ₦50,000, until a loan is repaid on time.');
    // Repaying ₦30,000 on time earns ₦45,000, still under the starter cap: no rise to promise.
    expect(reason?.counterfactual).toBeUndefined();
  });

  it('should refer a borrower past due on a loan with us, and decline from the freeze DPD or after a default', () => {
    const late = (dpd: number) => loan({ disbursedOn: '2026-08-01', lateDays: [null, null, null], status: 'late', daysPastDue: dpd });
    const referred = underwrite({ ...base, ownLoans: [late(POLICY.referDpd)] });
    expect(referred.decision).toBe('refer');
    expect(referred.reasons.find((x) => x.code === 'OWN_LOAN_IN_ARREARS')).toMatchObject({ severity: 'review', values: { currentDpd: POLICY.referDpd } });
    const frozen = underwrite({ ...base, ownLoans: [late(POLICY.freezeDpd)] });
    expect(frozen.decision).toBe('decline');
    expect(frozen.reasons[0]).toMatchObject({ code: 'OWN_LOAN_IN_ARREARS', severity: 'blocking' });
    const defaulted = underwrite({ ...base, ownLoans: [{ ...late(95), status: 'defaulted' }] });
    expect(defaulted.decision).toBe('decline');
    expect(defaulted.reasons[0].code).toBe('OWN_LOAN_DEFAULTED');
    const within = underwrite({ ...base, ownLoans: [late(POLICY.referDpd - 1)] });
    expect(within.reasons.map((x) => x.code)).not.toContain('OWN_LOAN_IN_ARREARS');
  });
});

describe(matchCollections.name, () => {
  const rules = { narrationPatterns: ['paystack/acme loans', 'ACME CREDIT  REPAY'], amountTolerance: '0.02', dateToleranceDays: 3 };
  const debit = (_key: string, date: string, amountMinor: number, narration: string) =>
    buildTransactions([{ date, amountMinor, direction: 'debit' as const, narration, category: 'loan_repayment' as const }], { openingBalanceMinor: 50_000_000 })[0];
  const tx = [
    debit('c1', '2026-06-10', 1_687_500, 'PAYSTACK/ACME LOANS/REF 81726'),
    debit('c2', '2026-07-11', 1_700_000, 'NIP/ACME CREDIT REPAY/JUL'), // a 0.7% gateway fee on top
    debit('c3', '2026-09-02', 1_687_500, 'Paystack/Acme Loans/REF 99100'), // nothing recorded for it
    debit('x1', '2026-08-10', 1_687_500, 'POS SHOPRITE IKEJA'),
  ];
  const bank = { txs: tx, firstDay: Math.floor(Date.parse('2026-05-01') / 86_400_000), lastDay: Math.floor(Date.parse('2026-10-30') / 86_400_000) };
  const withRepayments = (repayments: OwnLoanInput['repayments']): OwnLoanInput => ({ ...loan({}), repayments });

  it('should match recorded repayments to collections by amount and date, and report both kinds of disagreement', () => {
    const m = matchCollections(
      [withRepayments([
        { paidOn: '2026-06-10', amountMinor: 1_687_500 },
        { paidOn: '2026-07-10', amountMinor: 1_687_500 },
        { paidOn: '2026-08-10', amountMinor: 1_687_500 }, // recorded, but only a supermarket debit left that day
      ])],
      rules,
      bank,
    );
    expect(m).toEqual({
      collectionsSeen: 3,
      reportedInCoverage: 3,
      matched: 2,
      reportedNotSeen: [{ paidOn: '2026-08-10', amountMinor: 1_687_500 }],
      seenNotReported: [{ transactionId: tx[2].id, date: '2026-09-02', amountMinor: 1_687_500 }],
    });
  });

  it('should not expect repayments dated outside the bank data, nor match beyond the tolerances', () => {
    const m = matchCollections([withRepayments([{ paidOn: '2026-04-01', amountMinor: 1_000_000 }, { paidOn: '2026-06-20', amountMinor: 1_687_500 }])], rules, bank);
    expect(m.reportedInCoverage).toBe(1); // April is before the bank data
    expect(m.matched).toBe(0); // 20 June is 10 days from the 10 June collection
    const off = matchCollections([withRepayments([{ paidOn: '2026-06-10', amountMinor: 1_500_000 }])], rules, bank);
    expect(off.matched).toBe(0); // 12.5% apart, beyond the 2% tolerance
  });

  it('should flag the mismatch in the decision with an info reason and drillable transactions', () => {
    const transactions = buildTransactions(salariedSpecs({ salaryMinor: 40_000_000, dailySpendMinor: 500_000 }), { openingBalanceMinor: 10_000_000 });
    const policy = validatePolicy({ ...JSON.parse(JSON.stringify(DEFAULT_POLICY)), repayment: { ...DEFAULT_REPAYMENT, collections: rules } });
    const r = underwrite({
      accounts: [engineAccount('acc-1', transactions, asOf)],
      transactions,
      asOf,
      policy,
      ownLoans: [withRepayments([{ paidOn: '2026-09-15', amountMinor: 2_000_000 }])],
    });
    expect(r.repayment?.bankMatch).toMatchObject({ collectionsSeen: 0, reportedInCoverage: 1, matched: 0 });
    expect(r.flags).toContain('repayment_mismatch');
    expect(r.reasons.find((x) => x.code === 'OWN_REPAYMENT_MISMATCH')).toMatchObject({ severity: 'info', values: { reportedNotSeen: 1, reportedNotSeenMinor: 2_000_000 } });
    expect(r.features.find((f) => f.name === 'own_repayments_not_seen')?.value).toBe(1);
    expect(r.decision).toBe(underwrite({ accounts: [engineAccount('acc-1', transactions, asOf)], transactions, asOf, policy }).decision);
  });
});
