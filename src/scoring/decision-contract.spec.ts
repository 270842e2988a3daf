import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { amortisedSchedule } from '../loans/loan-schedule.js';
import { decisionContract, offerTerms, type ContractSource } from './decision-contract.js';

const RATE = '0.04';

function source(over: Partial<ContractSource> & { affordable?: boolean } = {}): ContractSource {
  const { affordable = true, ...rest } = over;
  return {
    decision: 'approve',
    recommendedLimitMinor: 30_000_000,
    instalmentMinor: 5_722_857,
    counterOffer: null,
    requestedAmountMinor: 20_000_000,
    requestedTenorMonths: 6,
    limit: {
      tenorMonths: 6,
      monthlyRate: RATE,
      requested: { amountMinor: 20_000_000, tenorMonths: 6, monthlyRate: RATE, instalmentMinor: 3_815_238, postLoanDsr: '0.21', affordable },
    },
    ...rest,
  };
}

describe(decisionContract.name, () => {
  it('should offer the request as asked when it is affordable', () => {
    const c = decisionContract(source());
    expect(c.outcome).toBe('approved');
    expect(c.offer).toMatchObject({ amountMinor: 20_000_000, tenorMonths: 6, monthlyRate: RATE, apr: '0.48' });
    expect(c.requested).toEqual({ amountMinor: 20_000_000, tenorMonths: 6, instalmentMinor: 3_815_238, affordable: true });
    expect(c.limit).toEqual({ amountMinor: 30_000_000, tenorMonths: 6, instalmentMinor: 5_722_857, availableMinor: 30_000_000 });
  });

  it('should say approved_lower for a smaller amount at the tenor asked for', () => {
    const c = decisionContract(source({ affordable: false, counterOffer: { amountMinor: 15_000_000, tenorMonths: 6, instalmentMinor: 2_861_428 } }));
    expect(c.outcome).toBe('approved_lower');
    expect(c.offer).toMatchObject({ amountMinor: 15_000_000, tenorMonths: 6 });
    expect(c.requested?.affordable).toBe(false);
  });

  it('should say counter_offer when the offer is at another tenor, with the full or a lower amount', () => {
    const full = decisionContract(source({ affordable: false, counterOffer: { amountMinor: 20_000_000, tenorMonths: 12, instalmentMinor: 2_131_043 } }));
    expect(full.outcome).toBe('counter_offer');
    expect(full.offer).toMatchObject({ amountMinor: 20_000_000, tenorMonths: 12 });
    const lower = decisionContract(source({ affordable: false, counterOffer: { amountMinor: 18_000_000, tenorMonths: 9, instalmentMinor: 2_420_000 } }));
    expect(lower.outcome).toBe('counter_offer');
  });

  it('should give neither offer nor limit on a decline or a referral, while echoing the request', () => {
    const counterOffer = { amountMinor: 15_000_000, tenorMonths: 6, instalmentMinor: 2_861_428 };
    for (const decision of ['decline', 'refer'] as const) {
      const c = decisionContract(source({ decision, counterOffer, affordable: false }));
      expect(c).toEqual({
        outcome: decision === 'decline' ? 'declined' : 'referred',
        offer: null,
        limit: null,
        requested: { amountMinor: 20_000_000, tenorMonths: 6, instalmentMinor: 3_815_238, affordable: false },
      });
    }
  });

  it('should approve without an offer when nothing was requested (re-underwriting), the limit being the ceiling', () => {
    const c = decisionContract(source({ requestedAmountMinor: null, requestedTenorMonths: null, limit: { tenorMonths: 6, monthlyRate: RATE, requested: null } }));
    expect(c).toEqual({
      outcome: 'approved',
      offer: null,
      requested: null,
      limit: { amountMinor: 30_000_000, tenorMonths: 6, instalmentMinor: 5_722_857, availableMinor: 30_000_000 },
    });
  });

  it("should report what the lender's open loans leave of the limit", () => {
    const c = decisionContract(
      source({
        limit: {
          ...source().limit!,
          exposure: { outstandingPrincipalMinor: 10_000_000, openLoans: 1, availableMinor: 20_000_000, bound: false, withoutExposure: null },
        },
      }),
    );
    expect(c.limit?.availableMinor).toBe(20_000_000);
  });

  it('should read decisions stored before the result carried the request (entity columns)', () => {
    const c = decisionContract(source({ limit: null }));
    // No rate stored: the request is echoed but no terms can be priced.
    expect(c).toMatchObject({ outcome: 'approved', offer: null, requested: { amountMinor: 20_000_000, tenorMonths: 6, affordable: false } });
  });
});

describe(offerTerms.name, () => {
  it('should price an offer exactly as the loan schedule POST /v1/loans books', () => {
    const terms = offerTerms(15_000_000, 6, RATE);
    const schedule = amortisedSchedule(15_000_000, RATE, 6, '2026-12-01');
    const total = schedule.reduce((s, i) => s + i.principalMinor + i.interestMinor, 0);
    expect(terms.instalmentMinor).toBe(schedule[0].principalMinor + schedule[0].interestMinor);
    expect(terms.totalRepayableMinor).toBe(total);
    expect(terms.totalInterestMinor).toBe(total - 15_000_000);
    expect(terms.effectiveAnnualRate).toBe('0.601032');
  });

  it('should charge no interest at a zero rate', () => {
    expect(offerTerms(12_000_000, 12, '0')).toMatchObject({ instalmentMinor: 1_000_000, totalRepayableMinor: 12_000_000, totalInterestMinor: 0, apr: '0' });
  });
});

describe('decision contract invariants (property)', () => {
  const counter = fc.option(
    fc.record({ amountMinor: fc.integer({ min: 1_000_000, max: 500_000_000 }), tenorMonths: fc.constantFrom(3, 6, 9, 12), instalmentMinor: fc.nat() }),
    { nil: null },
  );
  const src = fc.record({
    decision: fc.constantFrom('approve' as const, 'decline' as const, 'refer' as const),
    amount: fc.integer({ min: 1_000_000, max: 500_000_000 }),
    tenor: fc.constantFrom(3, 6, 9, 12),
    affordable: fc.boolean(),
    counterOffer: counter,
    limitMinor: fc.integer({ min: 0, max: 500_000_000 }),
    rate: fc.constantFrom('0', '0.025', '0.04', '0.075'),
  });

  it('should never offer on a decline or referral, and offer only what the request or counter-offer says', () => {
    fc.assert(
      fc.property(src, (g) => {
        const c = decisionContract({
          decision: g.decision,
          recommendedLimitMinor: g.limitMinor,
          instalmentMinor: 0,
          counterOffer: g.affordable ? null : g.counterOffer,
          requestedAmountMinor: g.amount,
          requestedTenorMonths: g.tenor,
          limit: {
            tenorMonths: g.tenor,
            monthlyRate: g.rate,
            requested: { amountMinor: g.amount, tenorMonths: g.tenor, monthlyRate: g.rate, instalmentMinor: 0, postLoanDsr: null, affordable: g.affordable },
          },
        });
        if (g.decision !== 'approve') {
          expect(c.offer).toBeNull();
          expect(c.limit).toBeNull();
          return;
        }
        expect(c.offer).not.toBeNull();
        const offer = c.offer!;
        if (c.outcome === 'approved') expect([offer.amountMinor, offer.tenorMonths]).toEqual([g.amount, g.tenor]);
        if (c.outcome === 'approved_lower') {
          expect(offer.tenorMonths).toBe(g.tenor);
          expect(offer.amountMinor).toBeLessThan(g.amount);
        }
        if (c.outcome === 'counter_offer') expect(offer.tenorMonths !== g.tenor || offer.amountMinor > g.amount).toBe(true);
        expect(offer.totalRepayableMinor).toBeGreaterThanOrEqual(offer.amountMinor);
        expect(offer.instalmentMinor * offer.tenorMonths).toBeGreaterThanOrEqual(offer.totalRepayableMinor);
        expect(Number.isInteger(offer.totalRepayableMinor)).toBe(true);
      }),
    );
  });
});
