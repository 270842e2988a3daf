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
