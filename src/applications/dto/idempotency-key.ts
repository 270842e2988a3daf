import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** The key the OpenAPI document shows; Swagger UI's "Try it out" swaps it for a fresh UUID per request. */
export const IDEMPOTENCY_KEY_EXAMPLE = '7f9c1b1e-3b8e-4c33-9a1c-2b5f8e6d4a10';

/** The documented header (with its example) for routes that take one. */
export const IDEMPOTENCY_HEADER_DOC = {
  name: IDEMPOTENCY_HEADER,
  required: true,
  description:
    '1–128 printable ASCII characters, unique per request (a UUID). Retrying with the same key and body replays the first answer. In Swagger UI "Try it out" the example is replaced by a fresh UUID for each request.',
  example: IDEMPOTENCY_KEY_EXAMPLE,
  schema: { type: 'string', minLength: 1, maxLength: 128 },
} as const;

/**
 * Swagger UI's request interceptor (serialised into the page, so it must be self-contained): a request that still
 * carries the documented example key gets a fresh UUID, so two people trying the docs never share a key.
 */
export function swaggerFreshIdempotencyKey(req: { headers: Record<string, string | undefined> }): {
  headers: Record<string, string | undefined>;
} {
  if (req.headers['Idempotency-Key'] === '7f9c1b1e-3b8e-4c33-9a1c-2b5f8e6d4a10')
    req.headers['Idempotency-Key'] = globalThis.crypto.randomUUID();
  return req;
}
const KEY_RE = /^[\x21-\x7e]{1,128}$/;

function invalid(message: string): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message: `Invalid request: ${IDEMPOTENCY_HEADER}`,
    details: { fields: [{ field: IDEMPOTENCY_HEADER, errors: [message] }] },
  });
}

/** Required `Idempotency-Key`: 1–128 printable ASCII characters (a UUID is a good choice). */
export function parseIdempotencyKey(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${IDEMPOTENCY_HEADER} header is required`);
  if (!KEY_RE.test(value)) throw invalid(`${IDEMPOTENCY_HEADER} must be 1–128 printable ASCII characters without spaces`);
  return value;
}

/** The validated Idempotency-Key header (400 naming the header when missing or malformed). */
export const IdempotencyKey = createParamDecorator((_data: unknown, ctx: ExecutionContext): string =>
  parseIdempotencyKey(ctx.switchToHttp().getRequest<Request>().headers['idempotency-key']),
);
