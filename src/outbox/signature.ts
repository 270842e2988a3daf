import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Outbound events are signed like Stripe/Svix webhooks: `x-engine-signature: sha256=<hex>` where
 * hex = HMAC-SHA256(secret, `${timestamp}.${body}`) and timestamp is `x-engine-timestamp` (Unix seconds).
 * The receiver recomputes it over the raw body and rejects old timestamps to stop replays.
 */
export function signEvent(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** Constant-time verification, with a tolerance window on the timestamp (seconds). */
export function verifyEventSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signEvent(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
