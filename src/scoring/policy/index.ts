import defaultPolicyJson from './default-policy.json' with { type: 'json' };
import defaultPolicy100Json from './default-policy-1.0.0.json' with { type: 'json' };
import { readFileSync } from 'node:fs';
import { policyVersion, validatePolicy, type Policy } from '../engine/policy.js';

/** The shipped default policy, validated when this module loads (a bad edit fails fast, naming the field). */
export const DEFAULT_POLICY: Policy = validatePolicy(defaultPolicyJson);
export const DEFAULT_POLICY_VERSION: string = policyVersion(DEFAULT_POLICY);

/**
 * The default policy as shipped before 1.1.0 (no person-to-person, missed-salary or chronic-overdraft rules), kept
 * so tests and replays can show that a stored 1.0.0 decision input still scores by the old rules on this engine.
 */
export const DEFAULT_POLICY_1_0_0: Policy = validatePolicy(defaultPolicy100Json);

/**
 * The policy in a JSON file (POLICY_FILE): read and validated once, at configuration time. Throws an Error whose
 * message says what is wrong (unreadable file, not JSON, or the first invalid field).
 */
export function loadPolicyFile(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON`, { cause: err });
  }
  return validatePolicy(json);
}
