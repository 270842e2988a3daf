import { formatNaira } from '../../common/money.js';
import { annuityFactor } from '../../scoring/engine/amortisation.js';
import { Dec, ONE, ZERO, maxDec, minDec, toMinor, toRatio } from '../../scoring/engine/decimal.js';
import type { Policy } from '../../scoring/engine/policy.js';
import type { EngineResult } from '../../scoring/engine/types.js';

/**
 * "How this limit was set": the engine's limit chain (docs/scoring.md § Limit) rebuilt step by step from a stored
 * decision result, with decimal.js exactly as `limit.ts` does it, so an analyst can recompute the recommended limit
 * from the page. Most figures are stored in `result.limit.components`; the ones that are not (the unrounded
 * instalments, the annuity factor, the risk factors one by one, the product minimum) are derived here from the
 * stored figures and the decision's own stored policy. `reproduced` says whether the rebuilt chain lands on the
 * stored limit and binding constraint — a test pins it for every sandbox persona.
 */
export type ChainUnit = 'kobo' | 'ratio' | 'factor' | 'months' | 'rate' | 'count';

export interface LimitChainStep {
  key: string;
  label: string;
  unit: ChainUnit;
  /** Integer kobo / whole months / count as a number; ratios, factors and rates as decimal strings. */
  value: number | string | null;
  /** How the step is computed, in words and the figures above it (plain text; views format nothing here). */
  formula: string;
  /** Drill-down query parameters for the transactions behind the figure; null when it has none. */
  drill: Record<string, string> | null;
  /** This term set the limit (the binding constraint). */
  binding: boolean;
}

export interface LimitChainRiskFactor {
  code: string;
  factor: string;
  why: string;
}

export interface LimitChainFcfMonth {
  month: string;
  qualifyingInflowMinor: number;
  essentialOutflowMinor: number;
}

export interface LimitChain {
  steps: LimitChainStep[];
  riskFactors: LimitChainRiskFactor[];
  /** The months behind free cash flow: median qualifying inflow − median essential outflow − obligations. */
  freeCashFlow: {
    months: LimitChainFcfMonth[];
    medianQualifyingInflowMinor: number;
    medianEssentialOutflowMinor: number;
    existingObligationsMinor: number;
    freeCashFlowMinor: number;
  };
  bindingConstraint: string;
  /** The limit the rebuilt chain reaches. */
  computedLimitMinor: number;
  storedLimitMinor: number;
  /** Rebuilt limit and binding constraint equal the stored ones (always true unless the stored result is inconsistent). */
  reproduced: boolean;
  /** Whether the decision's stored policy was available (else the product minimum and risk factor list are unknown). */
  policyAvailable: boolean;
  /** The decision's headline differs from the engine's limit (an orchestration override such as a stale-data refer). */
  headlineNote: string | null;
}

function median(values: number[]): Dec {
  if (values.length === 0) return ZERO;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? new Dec(s[mid]) : new Dec(s[mid - 1]).plus(s[mid]).div(2);
}

/** The risk factors the engine multiplied (same tests as `underwrite.ts`, on the stored result and policy). */
export function riskFactorsOf(r: EngineResult, policy: Policy): LimitChainRiskFactor[] {
  const rp = policy.risk;
  const out: LimitChainRiskFactor[] = [];
  if (new Dec(r.risk.gambling.share).gte(rp.gambling.referShare))
    out.push({
      code: 'GAMBLING_SHARE_HIGH',
      factor: rp.gambling.factor,
      why: `gambling share ${r.risk.gambling.share} ≥ ${rp.gambling.referShare}`,
    });
  const d = r.obligations.disbursements;
  if (d.last30d.count >= rp.stacking.disbursements30dRefer || d.last90d.lenders.length >= rp.stacking.lenders90dRefer)
    out.push({
      code: 'RECENT_LOAN_DISBURSEMENTS',
      factor: rp.stacking.factor,
      why: `${d.last30d.count} disbursements in 30 days, ${d.last90d.lenders.length} disbursing lenders in 90 days`,
    });
  if (r.obligations.activeLenders90d > rp.lenders.maxActive)
    out.push({
      code: 'MULTIPLE_ACTIVE_LENDERS',
      factor: rp.lenders.factor,
      why: `${r.obligations.activeLenders90d} active lenders in 90 days > ${rp.lenders.maxActive}`,
    });
  if (r.risk.failedDebits.count90d >= rp.failedDebits.count90dThreshold)
    out.push({
      code: 'FAILED_DEBITS_OR_RETURNS',
      factor: rp.failedDebits.factor,
      why: `${r.risk.failedDebits.count90d} failed debits in 90 days ≥ ${rp.failedDebits.count90dThreshold}`,
    });
  const cf = r.cashFlow;
  if (cf.negativeBalanceDays >= rp.negativeBalance.daysThreshold)
    out.push({
      code: 'NEGATIVE_BALANCE_DAYS',
      factor: rp.negativeBalance.factor,
      why: `${cf.negativeBalanceDays} negative-balance days ≥ ${rp.negativeBalance.daysThreshold}`,
    });
  if (cf.averageDailyBalanceMinor !== null && new Dec(cf.lowBalanceDays).div(cf.balanceWindowDays).gte(rp.lowBalance.shareThreshold))
    out.push({
      code: 'LOW_BALANCE_DAYS',
      factor: rp.lowBalance.factor,
      why: `${cf.lowBalanceDays} of ${cf.balanceWindowDays} days below the low-balance threshold (≥ ${rp.lowBalance.shareThreshold})`,
    });
  return out;
}

const FEATURE = (name: string): Record<string, string> => ({ feature: name });

/**
 * Rebuilds the limit chain of a stored result. `policy` is the decision's stored policy (null when the input is not
 * available: the chain then uses the stored risk factor and cannot apply the product minimum).
 */
export function buildLimitChain(r: EngineResult, policy: Policy | null, storedLimitMinor: number): LimitChain {
  const L = r.limit;
  const c = L.components;
  const binding = L.bindingConstraint;
  const vmi = new Dec(c.verifiedMonthlyIncomeMinor);
  const eo = c.existingObligationsMinor;
  const miDsr = maxDec(ZERO, new Dec(c.dsrCap).times(vmi).minus(eo));
  const miFcf = new Dec(c.fcfShare).times(Math.max(0, c.freeCashFlowMinor));
  const base = minDec(miDsr, miFcf);
  const coverage = new Dec(c.coverageFactor);
  const riskFactors = policy ? riskFactorsOf(r, policy) : [];
  const riskExact = policy ? riskFactors.reduce((f, h) => f.times(h.factor), ONE) : new Dec(c.riskFactor);
  const mi = base.times(coverage).times(riskExact);
  const rate = new Dec(L.monthlyRate);
  const n = L.tenorMonths;
  const a = annuityFactor(rate, n);
  const principal = mi.times(a);
  const multipleCap = policy ? new Dec(policy.product.incomeMultipleCap).times(vmi) : new Dec(c.incomeMultipleCapMinor);
  const candidates: Array<[Dec, string]> = [
    [principal, 'amortised'],
    [new Dec(c.productMaxMinor), 'product_max'],
    [multipleCap, 'income_multiple'],
  ];
  if (c.thinFileCapMinor !== null) candidates.push([new Dec(c.thinFileCapMinor), 'thin_file']);
  if (c.staleCapMinor !== null) candidates.push([new Dec(c.staleCapMinor), 'stale_data']);
  const graduationCap = c.graduationCapMinor ?? null;
  if (graduationCap !== null) candidates.push([new Dec(graduationCap), 'graduation']);
  let [lowest, lowestKey] = candidates[0];
  for (const [v, k] of candidates.slice(1)) {
    if (v.lt(lowest)) {
      lowest = v;
      lowestKey = k;
    }
  }
  const floored = toMinor(lowest.div(c.stepMinor).floor().times(c.stepMinor));
  const minAmount = policy?.product.minAmountMinor ?? null;
  const computed = minAmount !== null && floored < minAmount ? 0 : floored;
  let amortKind = miDsr.lte(miFcf) ? 'dsr' : 'free_cash_flow';
  if (base.gt(0) && coverage.isZero()) amortKind = 'coverage';
  else if (base.gt(0) && riskExact.isZero()) amortKind = 'risk';
  const computedBinding = lowestKey === 'amortised' ? amortKind : lowestKey === 'thin_file' ? 'coverage' : lowestKey;

  const bindingStep =
    binding === 'dsr'
      ? 'max_instalment_dsr'
      : binding === 'free_cash_flow'
        ? 'max_instalment_fcf'
        : binding === 'coverage'
          ? lowestKey === 'thin_file'
            ? 'thin_file_cap'
            : 'coverage_factor'
          : binding === 'risk'
            ? 'risk_factor'
            : binding === 'income_multiple'
              ? 'income_multiple_cap'
              : binding === 'stale_data'
                ? 'stale_cap'
                : binding === 'graduation'
                  ? 'graduation_cap'
                : binding === 'product_max'
                  ? 'product_max'
                  : null;
  const fcfMonths = r.cashFlow.months.map((m) => ({
    month: m.month,
    qualifyingInflowMinor: m.qualifyingInflowMinor,
    essentialOutflowMinor: m.essentialOutflowMinor,
  }));
  const steps: LimitChainStep[] = [
    {
      key: 'verified_income',
      label: 'Verified monthly income (VMI)',
      unit: 'kobo',
      value: c.verifiedMonthlyIncomeMinor,
      formula: 'confidence-weighted income streams + weighted irregular income',
      drill: FEATURE('verified_monthly_income'),
      binding: false,
    },
    {
      key: 'existing_obligations',
      label: 'Existing loan obligations / month (EO)',
      unit: 'kobo',
      value: eo,
      formula: 'repayments to other lenders, per month',
      drill: FEATURE('existing_obligations_monthly'),
      binding: false,
    },
    {
      key: 'dsr_cap',
      label: 'DSR cap',
      unit: 'ratio',
      value: c.dsrCap,
      formula: 'policy affordability.dsrCap',
      drill: null,
      binding: false,
    },
    {
      key: 'max_instalment_dsr',
      label: 'Max instalment by DSR',
      unit: 'kobo',
      value: toMinor(miDsr),
      formula: `max(0, ${c.dsrCap} × VMI − EO)`,
      drill: null,
      binding: false,
    },
    {
      key: 'free_cash_flow',
      label: 'Free cash flow / month (FCF)',
      unit: 'kobo',
      value: c.freeCashFlowMinor,
      formula: 'median qualifying inflow − median essential outflow − EO (months below)',
      drill: FEATURE('free_cash_flow'),
      binding: false,
    },
    {
      key: 'fcf_share',
      label: 'Share of FCF',
      unit: 'ratio',
      value: c.fcfShare,
      formula: 'policy affordability.fcfShare',
      drill: null,
      binding: false,
    },
    {
      key: 'max_instalment_fcf',
      label: 'Max instalment by cash flow',
      unit: 'kobo',
      value: toMinor(miFcf),
      formula: `${c.fcfShare} × max(0, FCF)`,
      drill: null,
      binding: false,
    },
    {
      key: 'base_instalment',
      label: 'Lower of the two',
      unit: 'kobo',
      value: toMinor(base),
      formula: 'min(by DSR, by cash flow)',
      drill: null,
      binding: false,
    },
    {
      key: 'coverage_factor',
      label: 'Coverage factor',
      unit: 'factor',
      value: c.coverageFactor,
      formula: `${r.coverage.completeMonths} complete months of history`,
      drill: null,
      binding: false,
    },
    {
      key: 'risk_factor',
      label: 'Risk factor',
      unit: 'factor',
      value: riskExact.toString(),
      formula: riskFactors.length
        ? riskFactors.map((h) => `${h.factor} (${h.code})`).join(' × ')
        : policy
          ? 'no risk factor applied'
          : `stored ${c.riskFactor}`,
      drill: null,
      binding: false,
    },
    {
      key: 'max_instalment',
      label: 'Max instalment',
      unit: 'kobo',
      value: toMinor(mi),
      formula: 'lower of the two × coverage factor × risk factor, rounded down to kobo',
      drill: null,
      binding: false,
    },
    {
      key: 'monthly_rate',
      label: 'Monthly rate (r)',
      unit: 'rate',
      value: L.monthlyRate,
      formula: 'product rate (or the requested rate)',
      drill: null,
      binding: false,
    },
    {
      key: 'tenor',
      label: 'Tenor (n)',
      unit: 'months',
      value: n,
      formula: 'requested product tenor, else the default tenor',
      drill: null,
      binding: false,
    },
    {
      key: 'annuity_factor',
      label: 'Annuity factor a(r, n)',
      unit: 'factor',
      value: a.toDecimalPlaces(6, Dec.ROUND_DOWN).toString(),
      formula: rate.isZero() ? 'n (no interest)' : '(1 − (1 + r)^−n) / r',
      drill: null,
      binding: false,
    },
    {
      key: 'amortised_principal',
      label: 'Amortised principal',
      unit: 'kobo',
      value: toMinor(principal),
      formula: 'max instalment × a(r, n)',
      drill: null,
      binding: false,
    },
    {
      key: 'product_max',
      label: 'Product maximum',
      unit: 'kobo',
      value: c.productMaxMinor,
      formula: 'policy product.maxAmountMinor',
      drill: null,
      binding: false,
    },
    {
      key: 'income_multiple_cap',
      label: 'Income multiple cap',
      unit: 'kobo',
      value: toMinor(multipleCap),
      formula: `${policy?.product.incomeMultipleCap ?? '?'} × VMI`,
      drill: null,
      binding: false,
    },
  ];
  if (c.thinFileCapMinor !== null)
    steps.push({
      key: 'thin_file_cap',
      label: 'Thin-file starter cap',
      unit: 'kobo',
      value: c.thinFileCapMinor,
      formula: 'min(starter cap, starter share × VMI) — fewer complete months than approval needs',
      drill: null,
      binding: false,
    });
  if (c.staleCapMinor !== null)
    steps.push({
      key: 'stale_cap',
      label: 'Stale-data cap',
      unit: 'kobo',
      value: c.staleCapMinor,
      formula: 'policy staleData.limitCapMinor (data not fresh)',
      drill: null,
      binding: false,
    });
  if (graduationCap !== null)
    steps.push({
      key: 'graduation_cap',
      label: 'Graduation ladder cap',
      unit: 'kobo',
      value: graduationCap,
      formula: 'max(starter cap, largest loan lent, largest loan repaid on time × (1 + step share)) — the lender’s own loans',
      drill: null,
      binding: false,
    });
  steps.push(
    {
      key: 'lowest_term',
      label: 'Lowest term',
      unit: 'kobo',
      value: toMinor(lowest),
      formula: 'min(amortised principal, product max, income multiple cap, caps)',
      drill: null,
      binding: false,
    },
    {
      key: 'rounded',
      label: `Rounded down to the step`,
      unit: 'kobo',
      value: floored,
      formula: `⌊lowest term / ${formatNaira(c.stepMinor)}⌋ × ${formatNaira(c.stepMinor)}`,
      drill: null,
      binding: false,
    },
  );
  if (minAmount !== null)
    steps.push({
      key: 'product_min',
      label: 'Product minimum',
      unit: 'kobo',
      value: minAmount,
      formula: 'below it the limit is 0',
      drill: null,
      binding: false,
    });
  steps.push({
    key: 'recommended_limit',
    label: 'Recommended limit',
    unit: 'kobo',
    value: computed,
    formula: minAmount !== null && floored < minAmount ? 'rounded amount is below the product minimum → 0' : 'the rounded amount',
    drill: null,
    binding: false,
  });

  for (const s of steps) s.binding = s.key === bindingStep;
  const reproduced =
    computed === L.recommendedMinor &&
    computedBinding === binding &&
    toMinor(mi) === L.maxInstalmentMinor &&
    toRatio(riskExact) === c.riskFactor;
  return {
    steps,
    riskFactors,
    freeCashFlow: {
      months: fcfMonths,
      medianQualifyingInflowMinor: toMinor(median(fcfMonths.map((m) => m.qualifyingInflowMinor))),
      medianEssentialOutflowMinor: toMinor(median(fcfMonths.map((m) => m.essentialOutflowMinor))),
      existingObligationsMinor: eo,
      freeCashFlowMinor: c.freeCashFlowMinor,
    },
    bindingConstraint: binding,
    computedLimitMinor: computed,
    storedLimitMinor,
    reproduced,
    policyAvailable: policy !== null,
    headlineNote:
      storedLimitMinor !== L.recommendedMinor
        ? `The decision's limit (${formatNaira(storedLimitMinor)}) differs from the engine's (${formatNaira(L.recommendedMinor)}): an orchestration rule changed the outcome after scoring.`
        : null,
  };
}
