export { underwrite, decide } from './underwrite.js';
export { ENGINE_VERSION } from './version.js';
export { validatePolicy, policyVersion, PolicyValidationError, type Policy } from './policy.js';
export { annuityFactor, principalForInstalment, instalmentForPrincipal } from './amortisation.js';
export { canonicalJson } from './canonical.js';
export { formatNaira } from './money.js';
export { REASON_CODES, type ReasonCode } from './reasons.js';
export type * from './types.js';
export { toUnderwritingOutput, type UnderwritingOutput, type OutputStream } from './output.js';
