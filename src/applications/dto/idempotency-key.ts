import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
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
