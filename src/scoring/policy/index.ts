import defaultPolicyJson from './default-policy.json' with { type: 'json' };
import defaultPolicy100Json from './default-policy-1.0.0.json' with { type: 'json' };
import { policyVersion, validatePolicy, type Policy } from '../engine/policy.js';

/** The shipped default policy, validated when this module loads (a bad edit fails fast, naming the field). */
export const DEFAULT_POLICY: Policy = validatePolicy(defaultPolicyJson);
export const DEFAULT_POLICY_VERSION: string = policyVersion(DEFAULT_POLICY);

/**
 * The default policy as shipped before 1.1.0 (no person-to-person, missed-salary or chronic-overdraft rules), kept
 * so tests and replays can show that a stored 1.0.0 decision input still scores by the old rules on this engine.
 */
export const DEFAULT_POLICY_1_0_0: Policy = validatePolicy(defaultPolicy100Json);
