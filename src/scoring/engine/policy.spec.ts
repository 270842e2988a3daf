import { describe, expect, it } from '@jest/globals';
import defaultPolicyJson from '../policy/default-policy.json' with { type: 'json' };
import { DEFAULT_POLICY, DEFAULT_POLICY_VERSION } from '../policy/index.js';
import { PolicyValidationError, policyVersion, validatePolicy } from './policy.js';

const clone = (): Record<string, unknown> => JSON.parse(JSON.stringify(defaultPolicyJson)) as Record<string, unknown>;

describe(validatePolicy.name, () => {
  it('should accept the shipped default policy', () => {
    expect(validatePolicy(clone())).toEqual(DEFAULT_POLICY);
  });

  it('should throw naming the field for a bad value', () => {
    const bad = clone();
    (bad.affordability as Record<string, unknown>).dsrCap = 0.3333; // a float, not a decimal string
    expect(() => validatePolicy(bad)).toThrow(PolicyValidationError);
    expect(() => validatePolicy(bad)).toThrow(/affordability\.dsrCap/);
  });

  it('should reject missing sections, out-of-range ratios and inconsistent product settings', () => {
    const noProduct = clone();
    delete noProduct.product;
    expect(() => validatePolicy(noProduct)).toThrow(/product/);
    const tooHigh = clone();
    (tooHigh.affordability as Record<string, unknown>).fcfShare = '1.5';
    expect(() => validatePolicy(tooHigh)).toThrow(/affordability\.fcfShare must be at most 1/);
    const tenor = clone();
    (tenor.product as Record<string, unknown>).defaultTenorMonths = 5;
    expect(() => validatePolicy(tenor)).toThrow(/product\.defaultTenorMonths/);
    const version = clone();
    version.version = 'v1';
    expect(() => validatePolicy(version)).toThrow(/version must be a semver/);
    expect(() => validatePolicy(null)).toThrow(/\(root\)/);
  });
});

describe(policyVersion.name, () => {
  it('should be name@semver+12 hex of the canonical JSON hash', () => {
    expect(DEFAULT_POLICY_VERSION).toMatch(/^default@1\.2\.0\+[0-9a-f]{12}$/);
  });

  it('should ignore key order and change with any threshold', () => {
    const reordered = Object.fromEntries(Object.entries(clone()).reverse());
    expect(policyVersion(validatePolicy(reordered))).toBe(DEFAULT_POLICY_VERSION);
    const changed = clone();
    (changed.affordability as Record<string, unknown>).dsrCap = '0.3';
    expect(policyVersion(validatePolicy(changed))).not.toBe(DEFAULT_POLICY_VERSION);
  });
});
