import { instalmentForPrincipal, principalForInstalment } from './amortisation.js';
import { Dec, ZERO, maxDec, minDec, toMinor, toRatio } from './decimal.js';
import type { Policy } from './policy.js';
import type { BindingConstraint, CounterOffer, ExposureInput, ExposureResult, LimitResult, RequestedLoan } from './types.js';

export interface LimitInputs {
  verifiedMonthlyIncomeMinor: number;
  existingObligationsMinor: number;
  freeCashFlowMinor: number;
  coverageFactor: Dec;
  riskFactor: Dec;
  staleCapMinor: number | null;
  thinFileCapMinor: number | null;
  /** The graduation ladder's cap; undefined when the input had no own-loan history (the result omits it). */
  graduationCapMinor?: number | null;
}

export interface LimitAt {
  limitMinor: number;
  binding: BindingConstraint;
  maxInstalmentDsr: Dec;
  maxInstalmentFcf: Dec;
  maxInstalment: Dec;
  principal: Dec;
  incomeMultipleCap: Dec;
}

/**
 * Research §4b: MI_dsr = max(0, cap × VMI − EO); MI_fcf = α × max(0, FCF); MI = min × coverage × risk;
 * L = MI × a(r, n); limit = min(L, product max, multiple × VMI, stale cap, thin-file cap) rounded DOWN to
 * the product step, or 0 below the product minimum. The binding constraint is the term that set the minimum.
 */
export function limitAt(inp: LimitInputs, policy: Policy, tenorMonths: number, monthlyRate: Dec): LimitAt {
  const p = policy.product;
  const vmi = new Dec(inp.verifiedMonthlyIncomeMinor);
  const miDsr = maxDec(ZERO, new Dec(policy.affordability.dsrCap).times(vmi).minus(inp.existingObligationsMinor));
  const miFcf = new Dec(policy.affordability.fcfShare).times(Math.max(0, inp.freeCashFlowMinor));
  const base = minDec(miDsr, miFcf);
  const mi = base.times(inp.coverageFactor).times(inp.riskFactor);
  const principal = principalForInstalment(mi, monthlyRate, tenorMonths);
  let amortBinding: BindingConstraint = miDsr.lte(miFcf) ? 'dsr' : 'free_cash_flow';
  if (base.gt(0) && inp.coverageFactor.isZero()) amortBinding = 'coverage';
  else if (base.gt(0) && inp.riskFactor.isZero()) amortBinding = 'risk';
  const incomeMultipleCap = new Dec(p.incomeMultipleCap).times(vmi);
  const candidates: [Dec, BindingConstraint][] = [
    [principal, amortBinding],
    [new Dec(p.maxAmountMinor), 'product_max'],
    [incomeMultipleCap, 'income_multiple'],
  ];
  if (inp.thinFileCapMinor !== null) candidates.push([new Dec(inp.thinFileCapMinor), 'coverage']);
  if (inp.staleCapMinor !== null) candidates.push([new Dec(inp.staleCapMinor), 'stale_data']);
  if (inp.graduationCapMinor !== undefined && inp.graduationCapMinor !== null) candidates.push([new Dec(inp.graduationCapMinor), 'graduation']);
  let [raw, binding] = candidates[0];
  for (const [v, b] of candidates.slice(1)) {
    if (v.lt(raw)) {
      raw = v;
      binding = b;
    }
  }
  let limitMinor = toMinor(raw.div(p.stepMinor).floor().times(p.stepMinor));
  if (limitMinor < p.minAmountMinor) limitMinor = 0;
  return { limitMinor, binding, maxInstalmentDsr: miDsr, maxInstalmentFcf: miFcf, maxInstalment: mi, principal, incomeMultipleCap };
}

/** Monthly instalment of a principal, rounded DOWN to kobo like every other amount. */
export function instalmentMinor(principalMinor: number, monthlyRate: Dec, tenorMonths: number): number {
  if (principalMinor <= 0) return 0;
  return toMinor(instalmentForPrincipal(new Dec(principalMinor), monthlyRate, tenorMonths));
}

function postLoanDsr(inp: LimitInputs, instalment: number): string | null {
  if (inp.verifiedMonthlyIncomeMinor <= 0) return null;
  return toRatio(new Dec(inp.existingObligationsMinor + instalment).div(inp.verifiedMonthlyIncomeMinor));
}

/**
 * What a limit leaves once the lender's own open loans are counted: limit − outstanding principal, rounded DOWN to
 * the product step, 0 when below the product minimum (nothing can be lent).
 */
export function availableAfterExposure(limitMinor: number, outstandingPrincipalMinor: number, policy: Policy): number {
  const p = policy.product;
  const left = Math.max(0, limitMinor - Math.max(0, outstandingPrincipalMinor));
  const stepped = Math.floor(left / p.stepMinor) * p.stepMinor;
  return stepped < p.minAmountMinor ? 0 : stepped;
}

export function computeLimit(
  inp: LimitInputs,
  policy: Policy,
  requested: RequestedLoan | undefined,
  exposure?: ExposureInput,
): LimitResult {
  const p = policy.product;
  const rate = new Dec(requested?.monthlyRate ?? p.monthlyRate);
  const tenorAllowed = requested !== undefined && p.tenorsMonths.includes(requested.tenorMonths);
  const tenor = requested && tenorAllowed ? requested.tenorMonths : p.defaultTenorMonths;
  const at = limitAt(inp, policy, tenor, rate);
  const instalment = instalmentMinor(at.limitMinor, rate, tenor);
  const noExposure = (l: number): number => l;
  const withExposure = (l: number): number => (exposure ? availableAfterExposure(l, exposure.outstandingPrincipalMinor, policy) : l);

  /** Affordability and counter-offer of the request when each tenor's limit is seen through `available`. */
  const answer = (req: RequestedLoan, available: (l: number) => number): { affordable: boolean; counterOffer: CounterOffer | null } => {
    const reqTenorOk = Number.isInteger(req.tenorMonths) && req.tenorMonths > 0;
    const availableAtTenor = available(at.limitMinor);
    const affordable = tenorAllowed && req.amountMinor >= p.minAmountMinor && req.amountMinor <= availableAtTenor && availableAtTenor > 0;
    if (affordable) return { affordable, counterOffer: null };
    // Try the requested tenor and every longer product tenor: the full amount at the shortest tenor that
    // fits, else the largest amount any of them allows.
    let best: CounterOffer | null = null;
    for (const t of p.tenorsMonths) {
      if (reqTenorOk && t < req.tenorMonths) continue;
      const l = available(limitAt(inp, policy, t, rate).limitMinor);
      if (l <= 0) continue;
      const amount = Math.min(l, Math.max(req.amountMinor, p.minAmountMinor));
      if (amount < p.minAmountMinor) continue;
      if (best === null || amount > best.amountMinor)
        best = { amountMinor: amount, tenorMonths: t, instalmentMinor: instalmentMinor(amount, rate, t) };
      if (amount >= req.amountMinor) break;
    }
    return { affordable, counterOffer: best };
  };

  let req: LimitResult['requested'] = null;
  let counterOffer: CounterOffer | null = null;
  let exposureResult: ExposureResult | undefined;
  if (requested) {
    const reqTenorOk = Number.isInteger(requested.tenorMonths) && requested.tenorMonths > 0;
    const reqInstalment = reqTenorOk ? instalmentMinor(requested.amountMinor, rate, requested.tenorMonths) : 0;
    const got = answer(requested, withExposure);
    req = {
      amountMinor: requested.amountMinor,
      tenorMonths: requested.tenorMonths,
      monthlyRate: rate.toString(),
      instalmentMinor: reqInstalment,
      postLoanDsr: postLoanDsr(inp, reqInstalment),
      affordable: got.affordable,
    };
    counterOffer = got.counterOffer;
    if (exposure) {
      const without = answer(requested, noExposure);
      exposureResult = {
        outstandingPrincipalMinor: exposure.outstandingPrincipalMinor,
        openLoans: exposure.openLoans,
        availableMinor: withExposure(at.limitMinor),
        bound: without.affordable !== got.affordable || (without.counterOffer?.amountMinor ?? 0) !== (got.counterOffer?.amountMinor ?? 0),
        withoutExposure: without,
      };
    }
  } else if (exposure) {
    exposureResult = {
      outstandingPrincipalMinor: exposure.outstandingPrincipalMinor,
      openLoans: exposure.openLoans,
      availableMinor: withExposure(at.limitMinor),
      bound: false,
      withoutExposure: null,
    };
  }

  return {
    recommendedMinor: at.limitMinor,
    tenorMonths: tenor,
    monthlyRate: rate.toString(),
    instalmentMinor: instalment,
    maxInstalmentMinor: toMinor(at.maxInstalment),
    bindingConstraint: at.binding,
    postLoanDsr: at.limitMinor > 0 ? postLoanDsr(inp, instalment) : null,
    components: {
      verifiedMonthlyIncomeMinor: inp.verifiedMonthlyIncomeMinor,
      existingObligationsMinor: inp.existingObligationsMinor,
      dsrCap: policy.affordability.dsrCap,
      maxInstalmentDsrMinor: toMinor(at.maxInstalmentDsr),
      freeCashFlowMinor: inp.freeCashFlowMinor,
      fcfShare: policy.affordability.fcfShare,
      maxInstalmentFcfMinor: toMinor(at.maxInstalmentFcf),
      coverageFactor: inp.coverageFactor.toString(),
      riskFactor: toRatio(inp.riskFactor),
      amortisedPrincipalMinor: toMinor(at.principal),
      productMaxMinor: p.maxAmountMinor,
      incomeMultipleCapMinor: toMinor(at.incomeMultipleCap),
      staleCapMinor: inp.staleCapMinor,
      thinFileCapMinor: inp.thinFileCapMinor,
      ...(inp.graduationCapMinor !== undefined ? { graduationCapMinor: inp.graduationCapMinor } : {}),
      stepMinor: p.stepMinor,
    },
    requested: req,
    counterOffer,
    ...(exposureResult ? { exposure: exposureResult } : {}),
  };
}
