import { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Personal data never reaches the logs: any key below, at any depth, is replaced before a line is written.
 * Secrets (API keys, Mono keys, webhook secrets) are redacted the same way.
 */
export const REDACTED_KEYS = new Set(
  [
    'bvn',
    'account_number',
    'accountnumber',
    'accountNumber',
    'full_name',
    'fullname',
    'fullName',
    'name',
    'account_name',
    'accountName',
    'holderName',
    'email',
    'phone',
    'dob',
    'address_line1',
    'addressLine1',
    'authorization',
    'cookie',
    'set-cookie',
    'mono-sec-key',
    'mono-webhook-secret',
    'x-engine-signature',
    'secret',
    'secretKey',
    'password',
    'key',
    'apiKey',
    'narration',
  ].map((k) => k.toLowerCase()),
);

const MAX_DEPTH = 8;

/**
 * A log line's top-level object, redacted. The HTTP request and response objects of the access log (`req`, `res`)
 * are left to the logger's serializers, which keep only safe fields (id, method, path, status code): pino runs this
 * formatter before the serializers, and copying those objects here would both walk their whole socket graph on every
 * request and hand the serializers a plain copy without the response's `headersSent` (so its status logged as null).
 */
export function redactLogRecord(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if ((k === 'req' && v instanceof IncomingMessage) || (k === 'res' && v instanceof ServerResponse)) out[k] = v;
    else out[k] = REDACTED_KEYS.has(k.toLowerCase()) ? '[redacted]' : redact(v, 1);
  }
  return out;
}

export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[depth]';
  if (value instanceof Error) {
    return { type: value.name, message: redactText(value.message), stack: value.stack?.split('\n').slice(0, 6).join('\n') };
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = REDACTED_KEYS.has(k.toLowerCase()) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

/** Masks digit runs that look like BVNs (11), NUBAN account numbers (10) or phone numbers inside free text. */
export function redactText(text: string): string {
  return text.replace(/\+?\d[\d\s-]{8,}\d/g, (m) => (m.replace(/\D/g, '').length >= 10 ? '[redacted-number]' : m));
}
