import { DomainError } from '../common/errors/domain-error.js';
import { MonoError } from './mono-error.js';

/** Maps a Mono client failure to the engine's error shape (502s: Mono's problem or ours with Mono, not the caller's). */
export function toDomainError(err: unknown, action: string): unknown {
  if (!(err instanceof MonoError)) return err;
  const details = { mono: err.toJSON() };
  if (err.kind === 'unauthorized') return new DomainError('MONO_REJECTED', `${action}: Mono refused our credentials`, details);
  if (err.kind === 'bad_request' || err.kind === 'not_found') return new DomainError('MONO_REJECTED', `${action}: Mono refused the request (${err.status ?? '?'})`, details);
  return new DomainError('MONO_UNAVAILABLE', `${action}: Mono is unavailable (${err.kind})`, details);
}

/**
 * A widget code (first link or reauth) exchanged for its Mono account id. Mono refusing the code is the caller's
 * problem (400 BAD_REQUEST: invalid, expired or already used); any other fault maps as `toDomainError` does.
 */
export async function exchangeWidgetCode(client: { exchangeCode(code: string): Promise<{ monoAccountId: string }> }, code: string, action: string): Promise<string> {
  try {
    return (await client.exchangeCode(code)).monoAccountId;
  } catch (err) {
    if (err instanceof MonoError && err.kind === 'bad_request') {
      throw new DomainError('BAD_REQUEST', 'Mono refused the code: it is invalid, expired or already used', { mono: err.toJSON() });
    }
    throw toDomainError(err, action);
  }
}
