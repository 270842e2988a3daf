import { describe, expect, it } from '@jest/globals';
import { Decimal } from 'decimal.js';
import { normaliseMonoExport } from '../../ingestion/normalise/index.js';
import { DEFAULT_SEEDS } from '../../sandbox/personas/personas.js';
import type { PersonaName } from '../../sandbox/personas/index.js';
import { runPersona } from '../../../test/support/persona-harness.js';
import { underwrite } from '../../scoring/engine/underwrite.js';
import { DEFAULT_POLICY } from '../../scoring/policy/index.js';
import { validatePolicy } from '../../scoring/engine/policy.js';
import type { EngineResult } from '../../scoring/engine/types.js';
import { buildLimitChain } from './limit-chain.js';

const PERSONAS = Object.keys(DEFAULT_SEEDS) as PersonaName[];

function value(chain: ReturnType<typeof buildLimitChain>, key: string): number | string | null {
  const s = chain.steps.find((x) => x.key === key);
  if (!s) throw new Error(`no step ${key}`);
  return s.value;
}

function expectReproduces(r: EngineResult): void {
  const chain = buildLimitChain(r, DEFAULT_POLICY, r.limit.recommendedMinor);
  expect(chain.computedLimitMinor).toBe(r.limit.recommendedMinor);
  expect(chain.bindingConstraint).toBe(r.limit.bindingConstraint);
  expect(chain.reproduced).toBe(true);
  // The stored figures the chain shows are the stored ones.
  const c = r.limit.components;
  expect(value(chain, 'max_instalment_dsr')).toBe(c.maxInstalmentDsrMinor);
  expect(value(chain, 'max_instalment_fcf')).toBe(c.maxInstalmentFcfMinor);
  expect(value(chain, 'max_instalment')).toBe(r.limit.maxInstalmentMinor);
  expect(value(chain, 'amortised_principal')).toBe(c.amortisedPrincipalMinor);
  expect(value(chain, 'income_multiple_cap')).toBe(c.incomeMultipleCapMinor);
  expect(value(chain, 'recommended_limit')).toBe(r.limit.recommendedMinor);
  // Free cash flow is the medians of the listed months minus obligations.
  const f = chain.freeCashFlow;
  expect(f.medianQualifyingInflowMinor - f.medianEssentialOutflowMinor - f.existingObligationsMinor).toBe(f.freeCashFlowMinor);
  expect(f.medianQualifyingInflowMinor).toBe(r.cashFlow.medianMonthlyInflowMinor);
  expect(f.medianEssentialOutflowMinor).toBe(r.cashFlow.medianEssentialOutflowMinor);
  // Exactly one highlighted term when something binds.
  expect(chain.steps.filter((s) => s.binding)).toHaveLength(r.limit.bindingConstraint === 'none' ? 0 : 1);
}

describe('buildLimitChain', () => {
  it.each(PERSONAS)('should reproduce the stored limit and binding constraint of persona %s', (name) => {
    const run = runPersona(name);
    expectReproduces(run.result);
  });

  it.each(PERSONAS)('should reproduce %s with a requested loan over 12 months and with stale data', (name) => {
    const run = runPersona(name);
    const asOf = run.result.asOf;
    const n = normaliseMonoExport(run.input, asOf);
    for (const extra of [
      { requestedLoan: { amountMinor: 80_000_000, tenorMonths: 12 } },
      { requestedLoan: { amountMinor: 5_000_000, tenorMonths: 3, monthlyRate: '0' } },
      { context: { staleData: true } },
    ]) {
      expectReproduces(underwrite({ accounts: n.accounts, transactions: n.transactions, asOf, policy: DEFAULT_POLICY, ...extra }));
    }
  });

  it('should reproduce a limit set by the graduation ladder and mark its cap', () => {
    const run = runPersona('salaried_monthly');
    const n = normaliseMonoExport(run.input, run.result.asOf);
    const ladder = validatePolicy({
      ...JSON.parse(JSON.stringify(DEFAULT_POLICY)),
      repayment: { ...DEFAULT_POLICY.repayment, graduation: { ...DEFAULT_POLICY.repayment!.graduation, starterCapMinor: 5_000_000 } },
    });
    const r = underwrite({ accounts: n.accounts, transactions: n.transactions, asOf: run.result.asOf, policy: ladder, ownLoans: [] });
    expect(r.limit.bindingConstraint).toBe('graduation');
    const chain = buildLimitChain(r, ladder, r.limit.recommendedMinor);
    expect(chain).toMatchObject({ computedLimitMinor: 5_000_000, bindingConstraint: 'graduation', reproduced: true });
    expect(chain.steps.find((x) => x.binding)?.key).toBe('graduation_cap');
  });

  it('should mark the binding term and show the multiplied risk factors of a risky borrower', () => {
    const gambler = runPersona('gambler').result;
    const chain = buildLimitChain(gambler, DEFAULT_POLICY, gambler.limit.recommendedMinor);
    expect(chain.riskFactors.map((h) => h.code)).toContain('GAMBLING_SHARE_HIGH');
    const product = chain.riskFactors.reduce((p, h) => p.times(h.factor), new Decimal(1));
    expect(product.eq(String(value(chain, 'risk_factor')))).toBe(true);
    expect(product.lt(1)).toBe(true);
    const trader = runPersona('trader_irregular').result;
    const t = buildLimitChain(trader, DEFAULT_POLICY, trader.limit.recommendedMinor);
    const bound = t.steps.find((s) => s.binding);
    const expected: Record<string, string> = {
      dsr: 'max_instalment_dsr',
      free_cash_flow: 'max_instalment_fcf',
      product_max: 'product_max',
      income_multiple: 'income_multiple_cap',
    };
    expect(bound?.key).toBe(expected[trader.limit.bindingConstraint]);
  });

  it('should fall back to the stored risk factor without a policy and say so', () => {
    const r = runPersona('salaried_monthly').result;
    const chain = buildLimitChain(r, null, r.limit.recommendedMinor);
    expect(chain.policyAvailable).toBe(false);
    expect(new Decimal(String(value(chain, 'risk_factor'))).eq(r.limit.components.riskFactor)).toBe(true);
    expect(chain.steps.some((s) => s.key === 'product_min')).toBe(false);
    expect(chain.computedLimitMinor).toBe(r.limit.recommendedMinor);
  });

  it('should note a headline that an orchestration rule changed', () => {
    const r = runPersona('salaried_monthly').result;
    const chain = buildLimitChain(r, DEFAULT_POLICY, 0);
    expect(chain.headlineNote).toMatch(/^The decision's limit \(₦0\.00\) differs from the engine's \(₦[\d,]+\.\d\d\)/);
  });
});
