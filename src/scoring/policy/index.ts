import defaultPolicyJson from './default-policy.json' with { type: 'json' };
import { policyVersion, validatePolicy, type Policy } from '../engine/policy.js';

/** The shipped default policy, validated when this module loads (a bad edit fails fast, naming the field). */
export const DEFAULT_POLICY: Policy = validatePolicy(defaultPolicyJson);
export const DEFAULT_POLICY_VERSION: string = policyVersion(DEFAULT_POLICY);
