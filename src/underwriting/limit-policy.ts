import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { canonicalJson } from '../scoring/engine/index.js';
import limitPolicyJson from './limit-policy.json' with { type: 'json' };

/**
 * Limit-management rules as versioned data (src/underwriting/limit-policy.json). Risk teams edit the file; it
 * is validated when loaded and its content hash is the version recorded on every limit change.
 * Ratios are decimal strings (decimal.js), amounts integer kobo.
 */
export interface LimitPolicy {
  name: string;
  version: string;
  /** Limits move in whole product steps, rounded down. */
  stepMinor: number;
  increase: {
    /** Recomputed limit must be at least this multiple of the current limit. */
    minRatio: string;
    minIncomeConfidence: string;
    /** New lenders (versus the baseline) tolerated for an increase. */
    maxNewLenders: number;
    /** Days since the last increase before another one. */
    cooldownDays: number;
    /** Step cap per review as a share of the current limit (0.5 = +50%). */
    maxStepShare: string;
    /** Step cap floor, so a very small (or zero) limit can still grow. */
    minStepMinor: number;
    /** Only an `approve` re-score can raise a limit. */
    requireApprove: boolean;
  };
  decrease: {
    /** A review is weak when recomputed < weakRatio × current. */
    weakRatio: string;
    /** Consecutive weak reviews before the limit is lowered (hysteresis). */
    weakReviewsToAct: number;
    hardTriggers: {
      salaryStreamInactive: boolean;
      postLoanDsrAboveCap: boolean;
      /** New lenders in the last N days (signals.newLenderWindowDays) that trigger at once; 0 disables. */
      newLenders30d: number;
      /** A `decline` re-score is a hard trigger. */
      declined: boolean;
    };
  };
  signals: {
    /** Gambling share rising by at least this much over the baseline is a spike… */
    gamblingSpikeShareDelta: string;
    /** …provided the current share is at least this. */
    gamblingSpikeMinShare: string;
    /** Relative income change reported as INCOME_UP / INCOME_DOWN. */
    incomeChangeShare: string;
    /** Increase in low-balance days reported as LOW_BALANCE_DAYS_UP. */
    lowBalanceDaysDelta: number;
    newLenderWindowDays: number;
  };
}

export class LimitPolicyValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid limit policy: ${problems.join('; ')}`);
    this.name = 'LimitPolicyValidationError';
  }
}

type Check = (value: unknown) => string | null;

const ratio =
  (min: number, max: number): Check =>
  (v) => {
    if (typeof v !== 'string') return 'must be a decimal string';
    try {
      const d = new Decimal(v);
      return d.isFinite() && d.gte(min) && d.lte(max) ? null : `must be between ${min} and ${max}`;
    } catch {
      return 'must be a decimal string';
    }
  };
const int =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? null : `must be an integer between ${min} and ${max}`;
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'must be a boolean');
const str: Check = (v) => (typeof v === 'string' && v.length > 0 ? null : 'must be a non-empty string');

const SCHEMA: Record<string, Check> = {
  name: str,
  version: str,
  stepMinor: int(1, 1e12),
  'increase.minRatio': ratio(1, 100),
  'increase.minIncomeConfidence': ratio(0, 1),
  'increase.maxNewLenders': int(0, 100),
  'increase.cooldownDays': int(0, 3650),
  'increase.maxStepShare': ratio(0, 10),
  'increase.minStepMinor': int(0, 1e12),
  'increase.requireApprove': bool,
  'decrease.weakRatio': ratio(0, 1),
  'decrease.weakReviewsToAct': int(1, 100),
  'decrease.hardTriggers.salaryStreamInactive': bool,
  'decrease.hardTriggers.postLoanDsrAboveCap': bool,
  'decrease.hardTriggers.newLenders30d': int(0, 100),
  'decrease.hardTriggers.declined': bool,
  'signals.gamblingSpikeShareDelta': ratio(0, 1),
  'signals.gamblingSpikeMinShare': ratio(0, 1),
  'signals.incomeChangeShare': ratio(0, 10),
  'signals.lowBalanceDaysDelta': int(0, 366),
  'signals.newLenderWindowDays': int(1, 366),
};

function at(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** Validates a parsed limit policy, naming every bad field. */
export function validateLimitPolicy(raw: unknown): LimitPolicy {
  const problems: string[] = [];
  for (const [path, check] of Object.entries(SCHEMA)) {
    const problem = check(at(raw, path));
    if (problem) problems.push(`${path} ${problem}`);
  }
  if (problems.length > 0) throw new LimitPolicyValidationError(problems);
  return raw as LimitPolicy;
}

/** `name@version+hash12`: the hash changes whenever any threshold changes. */
export function limitPolicyVersion(policy: LimitPolicy): string {
  return `${policy.name}@${policy.version}+${createHash('sha256').update(canonicalJson(policy)).digest('hex').slice(0, 12)}`;
}

export const DEFAULT_LIMIT_POLICY: LimitPolicy = validateLimitPolicy(limitPolicyJson);
export const DEFAULT_LIMIT_POLICY_VERSION: string = limitPolicyVersion(DEFAULT_LIMIT_POLICY);
