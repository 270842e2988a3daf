import { decryptPii } from '../../security/pii-cipher.js';

/**
 * Masks personal identifiers for reports: only the last four characters are shown. Encrypted values are
 * decrypted in memory for masking only; when they cannot be decrypted the value is fully hidden.
 */
export function maskIdentifier(stored: string | null): string | null {
  if (stored === null || stored === '') return null;
  let plain: string;
  try {
    plain = decryptPii(stored);
  } catch {
    return '••••';
  }
  const compact = plain.replace(/\s+/g, '');
  if (compact.length <= 4) return '•'.repeat(compact.length);
  return `${'•'.repeat(Math.min(8, compact.length - 4))}${compact.slice(-4)}`;
}

/** `ada@example.com` → `a••@example.com`. */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  if (at <= 0) return '••••';
  return `${email[0]}••${email.slice(at)}`;
}
