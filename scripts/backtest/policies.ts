import { validatePolicy, type Policy } from '../../src/scoring/engine/index.js';

/**
 * Two deliberately different candidates for backtest tests, benchmarks and the demo: every knob that admits or
 * sizes a loan moved the same way (lower/higher minimum income and months of history, DSR cap and free-cash-flow
 * share, gambling, stacking and lender thresholds). A candidate in practice moves one or two of these.
 */
export function looserPolicy(base: Policy, version = '9.1.0'): Policy {
  return validatePolicy({
    ...base,
    version,
    income: { ...base.income, minVerifiedMonthlyIncomeMinor: 1_500_000 },
    coverage: { ...base.coverage, minCompleteMonthsForApproval: 2 },
    affordability: { ...base.affordability, dsrCap: '0.5', fcfShare: '0.7' },
    risk: {
      ...base.risk,
      gambling: { ...base.risk.gambling, referShare: '0.3', declineShare: '0.6' },
      stacking: { ...base.risk.stacking, disbursements30dRefer: 8, lenders90dRefer: 8 },
      lenders: { ...base.risk.lenders, maxActive: 8 },
    },
  });
}

export function tighterPolicy(base: Policy, version = '9.2.0'): Policy {
  return validatePolicy({
    ...base,
    version,
    income: { ...base.income, minVerifiedMonthlyIncomeMinor: 32_000_000 },
    coverage: { ...base.coverage, minCompleteMonthsForApproval: 4 },
    affordability: { ...base.affordability, dsrCap: '0.25', fcfShare: '0.35' },
    risk: {
      ...base.risk,
      gambling: { ...base.risk.gambling, referShare: '0.02', declineShare: '0.1' },
      stacking: { ...base.risk.stacking, disbursements30dRefer: 2, lenders90dRefer: 2 },
      lenders: { ...base.risk.lenders, maxActive: 2 },
    },
  });
}
