import { canonicalJson, sha256Hex } from './canonical.js';
import { Dec } from './decimal.js';

/**
 * The underwriting policy: versioned DATA (see src/scoring/policy/default-policy.json), validated at load.
 * Ratios and rates are decimal strings so no threshold is ever a binary float; amounts are integer kobo.
 */
export interface CoverageFactor {
  minMonths: number;
  factor: string;
}

export interface Policy {
  name: string;
  version: string;
  currency: string;
  affordability: {
    dsrCap: string;
    fcfShare: string;
    /** Category → share of its outflow counted as essential (non-discretionary) spending in free cash flow. */
    essentialOutflowWeights: Record<string, string>;
    /** Existing obligations / VMI above this raise EXISTING_LOAN_OBLIGATIONS_HIGH. */
    obligationsHighDsr: string;
  };
  coverage: {
    lookbackMonths: number;
    minCompleteMonthsForApproval: number;
    minCompleteMonthsToDecide: number;
    factors: CoverageFactor[];
    thinFileStarterCapMinor: number;
    thinFileStarterIncomeShare: string;
  };
  income: {
    clusterSimilarity: string;
    amountBand: string;
    splitMergeDays: number;
    minOccurrencesMature: number;
    salaryKeywords: string[];
    knownEmployers: string[];
    weights: {
      mature: string;
      matureMinConfidence: string;
      matureReduced: string;
      matureReducedMinConfidence: string;
      early: string;
    };
    irregularWeight: string;
    irregularCvThreshold: string;
    irregularLowPercentile: string;
    cashDepositWeight: string;
    outlierMultiple: string;
    minVerifiedMonthlyIncomeMinor: number;
    recentChangeDays: number;
    /** Irregular income needs at least this many analysed complete months (else it counts 0). */
    irregularMinMonths: number;
    /** INCOME_UNSTABLE is raised for volatile irregular income only when it is at least this share of VMI. */
    irregularMaterialShare: string;
    /**
     * Person-to-person credits (policy 1.1.0+; absent in older stored policies, which then count them as before):
     * for a borrower with a counted regular stream, credits from individuals that are not a stream do not count
     * as income unless they look like a business (at least `businessMinPayers` distinct payers and at least
     * `businessMinCreditsPerMonth` such credits per analysed month).
     */
    personToPerson?: { businessMinPayers: number; businessMinCreditsPerMonth: string };
    /** A salary stream more than this many business days past its predicted date is at risk (policy 1.1.0+). */
    missedSalaryBusinessDays?: number;
  };
  cashFlow: {
    balanceWindowDays: number;
    lowBalanceThresholdMinor: number;
    trendThreshold: string;
  };
  risk: {
    gambling: { referShare: string; declineShare: string; factor: string };
    stacking: { disbursements30dRefer: number; lenders90dRefer: number; factor: string };
    lenders: { maxActive: number; factor: string };
    passThrough: { share: string; windowDays: number; maxCounterparties: number };
    failedDebits: { count90dThreshold: number; factor: string };
    negativeBalance: { daysThreshold: number; factor: string };
    lowBalance: { shareThreshold: string; factor: string };
    dataIntegrity: { breaksRefer: number };
    nameMatch: { minOverlap: string };
    /** Negative balance on more than this share of the balance window's days → refer (policy 1.1.0+). */
    chronicOverdraft?: { shareThreshold: string };
  };
  staleData: { maxAgeHours: number; limitCapMinor: number };
  product: {
    name: string;
    minAmountMinor: number;
    maxAmountMinor: number;
    stepMinor: number;
    tenorsMonths: number[];
    defaultTenorMonths: number;
    monthlyRate: string;
    incomeMultipleCap: string;
  };
  decision: { maxReasons: number };
  /**
   * The lender's own loans (policy 1.2.0+; absent in older stored policies, which then ignore any loan history).
   * An instalment is on time when fully paid at most `onTimeGraceDays` after its due date. Current days past due ≥
   * `referDpd` refers, ≥ `freezeDpd` declines (no new credit); a defaulted or written-off loan declines.
   * `graduation` (on when `starterCapMinor` is set; null = off): a first loan is capped at the starter amount; with
   * history the limit is capped at max(starter, largest principal lent, largest principal repaid on time ×
   * (1 + `stepShare`)), the step earned only by loans repaid on time and no arrears in the last `stepCleanMonths`.
   */
  repayment?: {
    onTimeGraceDays: number;
    referDpd: number;
    freezeDpd: number;
    graduation: { starterCapMinor: number | null; stepShare: string; stepCleanMonths: number };
    /**
     * The lender's collections in bank data: debits whose narration contains any of `narrationPatterns`
     * (case-insensitive, spaces collapsed) are its collections; a recorded repayment matches one within
     * `dateToleranceDays` and `amountTolerance` (share of the amount, e.g. a gateway fee). Empty list = off.
     */
    collections?: { narrationPatterns: string[]; amountTolerance: string; dateToleranceDays: number };
  };
}

export class PolicyValidationError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`invalid policy: ${field} ${problem}`);
    this.name = 'PolicyValidationError';
  }
}

type Obj = Record<string, unknown>;

function obj(parent: Obj, key: string, path: string): Obj {
  const v = parent[key];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new PolicyValidationError(`${path}${key}`, 'must be an object');
  return v as Obj;
}

function str(parent: Obj, key: string, path: string): string {
  const v = parent[key];
  if (typeof v !== 'string' || v.length === 0) throw new PolicyValidationError(`${path}${key}`, 'must be a non-empty string');
  return v;
}

const DECIMAL_RE = /^\d+(\.\d+)?$/;

/** A non-negative decimal string, optionally bounded to [0, 1]. */
function ratio(parent: Obj, key: string, path: string, max?: number): string {
  const v = parent[key];
  if (typeof v !== 'string' || !DECIMAL_RE.test(v)) {
    throw new PolicyValidationError(`${path}${key}`, 'must be a non-negative decimal string such as "0.3333"');
  }
  if (max !== undefined && new Dec(v).gt(max)) throw new PolicyValidationError(`${path}${key}`, `must be at most ${max}`);
  return v;
}

function int(parent: Obj, key: string, path: string, min = 0): number {
  const v = parent[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new PolicyValidationError(`${path}${key}`, `must be an integer ≥ ${min}`);
  }
  return v;
}

function strArray(parent: Obj, key: string, path: string): string[] {
  const v = parent[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new PolicyValidationError(`${path}${key}`, 'must be an array of strings');
  return v as string[];
}

function nonEmptyPatterns(v: string[], path: string): string[] {
  if (v.some((p) => p.trim().length < 3)) throw new PolicyValidationError(path, 'must hold patterns of at least 3 characters (an empty one would match every debit)');
  return v;
}

/** Validates an unknown value as a Policy; throws PolicyValidationError naming the first bad field. */
export function validatePolicy(raw: unknown): Policy {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PolicyValidationError('(root)', 'must be an object');
  const r = raw as Obj;
  const name = str(r, 'name', '');
  const version = str(r, 'version', '');
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new PolicyValidationError('version', 'must be a semver x.y.z');
  const currency = str(r, 'currency', '');

  const a = obj(r, 'affordability', '');
  const ew = obj(a, 'essentialOutflowWeights', 'affordability.');
  const essentialOutflowWeights: Record<string, string> = {};
  for (const k of Object.keys(ew)) essentialOutflowWeights[k] = ratio(ew, k, 'affordability.essentialOutflowWeights.', 1);
  const affordability = {
    dsrCap: ratio(a, 'dsrCap', 'affordability.', 1),
    fcfShare: ratio(a, 'fcfShare', 'affordability.', 1),
    essentialOutflowWeights,
    obligationsHighDsr: ratio(a, 'obligationsHighDsr', 'affordability.', 1),
  };

  const c = obj(r, 'coverage', '');
  const fs = c.factors;
  if (!Array.isArray(fs) || fs.length === 0) throw new PolicyValidationError('coverage.factors', 'must be a non-empty array');
  const factors = fs.map((f: unknown, i: number) => {
    if (f === null || typeof f !== 'object') throw new PolicyValidationError(`coverage.factors[${i}]`, 'must be an object');
    return {
      minMonths: int(f as Obj, 'minMonths', `coverage.factors[${i}].`),
      factor: ratio(f as Obj, 'factor', `coverage.factors[${i}].`, 1),
    };
  });
  if (!factors.some((f) => f.minMonths === 0))
    throw new PolicyValidationError('coverage.factors', 'must include an entry with minMonths 0');
  const coverage = {
    lookbackMonths: int(c, 'lookbackMonths', 'coverage.', 1),
    minCompleteMonthsForApproval: int(c, 'minCompleteMonthsForApproval', 'coverage.', 0),
    minCompleteMonthsToDecide: int(c, 'minCompleteMonthsToDecide', 'coverage.', 0),
    factors,
    thinFileStarterCapMinor: int(c, 'thinFileStarterCapMinor', 'coverage.'),
    thinFileStarterIncomeShare: ratio(c, 'thinFileStarterIncomeShare', 'coverage.', 1),
  };

  const i = obj(r, 'income', '');
  const w = obj(i, 'weights', 'income.');
  const income = {
    clusterSimilarity: ratio(i, 'clusterSimilarity', 'income.', 1),
    amountBand: ratio(i, 'amountBand', 'income.', 1),
    splitMergeDays: int(i, 'splitMergeDays', 'income.'),
    minOccurrencesMature: int(i, 'minOccurrencesMature', 'income.', 2),
    salaryKeywords: strArray(i, 'salaryKeywords', 'income.'),
    knownEmployers: strArray(i, 'knownEmployers', 'income.'),
    weights: {
      mature: ratio(w, 'mature', 'income.weights.', 1),
      matureMinConfidence: ratio(w, 'matureMinConfidence', 'income.weights.', 1),
      matureReduced: ratio(w, 'matureReduced', 'income.weights.', 1),
      matureReducedMinConfidence: ratio(w, 'matureReducedMinConfidence', 'income.weights.', 1),
      early: ratio(w, 'early', 'income.weights.', 1),
    },
    irregularWeight: ratio(i, 'irregularWeight', 'income.', 1),
    irregularCvThreshold: ratio(i, 'irregularCvThreshold', 'income.'),
    irregularLowPercentile: ratio(i, 'irregularLowPercentile', 'income.', 1),
    cashDepositWeight: ratio(i, 'cashDepositWeight', 'income.', 1),
    outlierMultiple: ratio(i, 'outlierMultiple', 'income.'),
    minVerifiedMonthlyIncomeMinor: int(i, 'minVerifiedMonthlyIncomeMinor', 'income.'),
    recentChangeDays: int(i, 'recentChangeDays', 'income.'),
    irregularMinMonths: int(i, 'irregularMinMonths', 'income.'),
    irregularMaterialShare: ratio(i, 'irregularMaterialShare', 'income.', 1),
  };
  // Fields added in policy 1.1.0 are optional: a policy stored before them validates to exactly what it was
  // (same canonical JSON, same policyVersion hash) and the engine applies the old method.
  if (i.personToPerson !== undefined) {
    const pp = obj(i, 'personToPerson', 'income.');
    Object.assign(income, {
      personToPerson: {
        businessMinPayers: int(pp, 'businessMinPayers', 'income.personToPerson.', 1),
        businessMinCreditsPerMonth: ratio(pp, 'businessMinCreditsPerMonth', 'income.personToPerson.'),
      },
    });
  }
  if (i.missedSalaryBusinessDays !== undefined) {
    Object.assign(income, { missedSalaryBusinessDays: int(i, 'missedSalaryBusinessDays', 'income.', 0) });
  }

  const cf = obj(r, 'cashFlow', '');
  const cashFlow = {
    balanceWindowDays: int(cf, 'balanceWindowDays', 'cashFlow.', 1),
    lowBalanceThresholdMinor: int(cf, 'lowBalanceThresholdMinor', 'cashFlow.'),
    trendThreshold: ratio(cf, 'trendThreshold', 'cashFlow.'),
  };

  const rk = obj(r, 'risk', '');
  const g = obj(rk, 'gambling', 'risk.');
  const st = obj(rk, 'stacking', 'risk.');
  const le = obj(rk, 'lenders', 'risk.');
  const pt = obj(rk, 'passThrough', 'risk.');
  const fd = obj(rk, 'failedDebits', 'risk.');
  const nb = obj(rk, 'negativeBalance', 'risk.');
  const lb = obj(rk, 'lowBalance', 'risk.');
  const di = obj(rk, 'dataIntegrity', 'risk.');
  const nm = obj(rk, 'nameMatch', 'risk.');
  const risk = {
    gambling: {
      referShare: ratio(g, 'referShare', 'risk.gambling.', 1),
      declineShare: ratio(g, 'declineShare', 'risk.gambling.', 1),
      factor: ratio(g, 'factor', 'risk.gambling.', 1),
    },
    stacking: {
      disbursements30dRefer: int(st, 'disbursements30dRefer', 'risk.stacking.', 1),
      lenders90dRefer: int(st, 'lenders90dRefer', 'risk.stacking.', 1),
      factor: ratio(st, 'factor', 'risk.stacking.', 1),
    },
    lenders: {
      maxActive: int(le, 'maxActive', 'risk.lenders.', 0),
      factor: ratio(le, 'factor', 'risk.lenders.', 1),
    },
    passThrough: {
      share: ratio(pt, 'share', 'risk.passThrough.', 1),
      windowDays: int(pt, 'windowDays', 'risk.passThrough.', 0),
      maxCounterparties: int(pt, 'maxCounterparties', 'risk.passThrough.', 1),
    },
    failedDebits: {
      count90dThreshold: int(fd, 'count90dThreshold', 'risk.failedDebits.', 1),
      factor: ratio(fd, 'factor', 'risk.failedDebits.', 1),
    },
    negativeBalance: {
      daysThreshold: int(nb, 'daysThreshold', 'risk.negativeBalance.', 1),
      factor: ratio(nb, 'factor', 'risk.negativeBalance.', 1),
    },
    lowBalance: { shareThreshold: ratio(lb, 'shareThreshold', 'risk.lowBalance.', 1), factor: ratio(lb, 'factor', 'risk.lowBalance.', 1) },
    dataIntegrity: { breaksRefer: int(di, 'breaksRefer', 'risk.dataIntegrity.', 1) },
    nameMatch: { minOverlap: ratio(nm, 'minOverlap', 'risk.nameMatch.', 1) },
  };
  if (rk.chronicOverdraft !== undefined) {
    const co = obj(rk, 'chronicOverdraft', 'risk.');
    Object.assign(risk, { chronicOverdraft: { shareThreshold: ratio(co, 'shareThreshold', 'risk.chronicOverdraft.', 1) } });
  }
  if (new Dec(risk.gambling.referShare).gt(risk.gambling.declineShare)) {
    throw new PolicyValidationError('risk.gambling.referShare', 'must not exceed risk.gambling.declineShare');
  }

  const sd = obj(r, 'staleData', '');
  const staleData = { maxAgeHours: int(sd, 'maxAgeHours', 'staleData.', 1), limitCapMinor: int(sd, 'limitCapMinor', 'staleData.') };

  const p = obj(r, 'product', '');
  const tenors = p.tenorsMonths;
  if (!Array.isArray(tenors) || tenors.length === 0 || tenors.some((t) => typeof t !== 'number' || !Number.isInteger(t) || t < 1)) {
    throw new PolicyValidationError('product.tenorsMonths', 'must be a non-empty array of positive integers');
  }
  const product = {
    name: str(p, 'name', 'product.'),
    minAmountMinor: int(p, 'minAmountMinor', 'product.', 1),
    maxAmountMinor: int(p, 'maxAmountMinor', 'product.', 1),
    stepMinor: int(p, 'stepMinor', 'product.', 1),
    tenorsMonths: [...(tenors as number[])].sort((x, y) => x - y),
    defaultTenorMonths: int(p, 'defaultTenorMonths', 'product.', 1),
    monthlyRate: ratio(p, 'monthlyRate', 'product.', 1),
    incomeMultipleCap: ratio(p, 'incomeMultipleCap', 'product.'),
  };
  if (product.minAmountMinor > product.maxAmountMinor)
    throw new PolicyValidationError('product.minAmountMinor', 'must not exceed product.maxAmountMinor');
  if (!product.tenorsMonths.includes(product.defaultTenorMonths)) {
    throw new PolicyValidationError('product.defaultTenorMonths', 'must be one of product.tenorsMonths');
  }

  const d = obj(r, 'decision', '');
  const decision = { maxReasons: int(d, 'maxReasons', 'decision.', 1) };

  const validated: Policy = { name, version, currency, affordability, coverage, income, cashFlow, risk, staleData, product, decision };
  if (r.repayment !== undefined) {
    const rp = obj(r, 'repayment', '');
    const g = obj(rp, 'graduation', 'repayment.');
    const starter = g.starterCapMinor;
    const repayment = {
      onTimeGraceDays: int(rp, 'onTimeGraceDays', 'repayment.'),
      referDpd: int(rp, 'referDpd', 'repayment.', 1),
      freezeDpd: int(rp, 'freezeDpd', 'repayment.', 1),
      graduation: {
        starterCapMinor: starter === null ? null : int(g, 'starterCapMinor', 'repayment.graduation.', 1),
        stepShare: ratio(g, 'stepShare', 'repayment.graduation.'),
        stepCleanMonths: int(g, 'stepCleanMonths', 'repayment.graduation.'),
      },
    };
    if (repayment.referDpd > repayment.freezeDpd) throw new PolicyValidationError('repayment.referDpd', 'must not exceed repayment.freezeDpd');
    if (rp.collections !== undefined) {
      const c = obj(rp, 'collections', 'repayment.');
      Object.assign(repayment, {
        collections: {
          narrationPatterns: nonEmptyPatterns(strArray(c, 'narrationPatterns', 'repayment.collections.'), 'repayment.collections.narrationPatterns'),
          amountTolerance: ratio(c, 'amountTolerance', 'repayment.collections.', 1),
          dateToleranceDays: int(c, 'dateToleranceDays', 'repayment.collections.'),
        },
      });
    }
    validated.repayment = repayment;
  }
  return deepFreeze(validated);
}

/** Validated policies are immutable: the engine memoises their version and canonical JSON per object. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** `<name>@<semver>+<first 12 hex of sha256(canonical JSON)>`: two policies with the same version string but different content never collide. */
export function policyVersion(policy: Policy): string {
  return `${policy.name}@${policy.version}+${sha256Hex(canonicalJson(policy)).slice(0, 12)}`;
}
