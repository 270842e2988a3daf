import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { INTEGER } from '../../common/http/openapi-types.js';

/** The one error shape (documentation only; the global filter produces it). */
export class ErrorResponseDto {
  @ApiProperty({ ...INTEGER, example: 409 }) statusCode!: number;
  @ApiProperty({ example: 'NO_LINKED_ACCOUNT', description: 'Stable machine-readable code' }) code!: string;
  @ApiProperty({ example: 'The borrower has no linked bank account: connect one first' }) message!: string;
  @ApiPropertyOptional({ example: { borrowerId: '0b7c…', next: 'POST /v1/borrowers/{id}/connect' } }) details?: Record<string, unknown>;
}

export interface ErrorExample {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

/**
 * Every 400 a route can answer besides its own validation failures: the body checks that run before any parser
 * (src/common/http/input-limits.ts).
 */
const INPUT_400: ErrorExample[] = [
  { status: 400, code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' },
  { status: 400, code: 'JSON_TOO_DEEP', message: 'Request body nests deeper than 64 levels' },
  { status: 400, code: 'INVALID_ENCODING', message: 'Request body is not valid UTF-8' },
];

/** Examples used when a route gives none of its own for that status. */
const DEFAULTS: Record<number, ErrorExample> = {
  400: {
    status: 400,
    code: 'VALIDATION_FAILED',
    message: 'Invalid request: id',
    details: { fields: [{ field: 'id', errors: ['id must be a UUID'] }] },
  },
  401: { status: 401, code: 'UNAUTHENTICATED', message: 'Missing API key: send Authorization: Bearer <key>' },
  403: { status: 403, code: 'FORBIDDEN', message: 'Role analyst may not call this route (allowed: frontend, admin)' },
  404: { status: 404, code: 'NOT_FOUND', message: 'Borrower 3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21 was not found' },
  409: { status: 409, code: 'CONFLICT', message: 'Conflict with the current state' },
  413: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than this route accepts (64 kB)' },
  415: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as application/json' },
  422: { status: 422, code: 'UNPROCESSABLE', message: 'The request cannot be processed' },
  429: { status: 429, code: 'RATE_LIMITED', message: 'Too many requests' },
  502: { status: 502, code: 'MONO_UNAVAILABLE', message: 'Mono did not answer' },
};

/**
 * A route with a JSON body: its validation failure for one field (as the validation pipe words it), and the body
 * limits every such route enforces (413 over the route's size, 415 without a JSON content type).
 */
export function invalidBody(field: string, error: string): ErrorExample[] {
  return [
    { status: 400, code: 'VALIDATION_FAILED', message: `Invalid request: ${field}`, details: { fields: [{ field, errors: [error] }] } },
    DEFAULTS[413],
    DEFAULTS[415],
  ];
}

/**
 * Documents the error responses of a route with the shared shape: 400 (the route's validation examples, or a path-id
 * one, plus the input-limit codes) and 429 always, and the statuses given (401 and 403 come from @Roles). A status may be given several
 * times with different codes: each becomes a named example of that response.
 */
export function ApiErrors(...statuses: Array<number | ErrorExample | ErrorExample[]>): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorExample[]>();
  for (const s of statuses.flat()) {
    const spec = typeof s === 'number' ? DEFAULTS[s] : s;
    byStatus.set(spec.status, [...(byStatus.get(spec.status) ?? []), spec]);
  }
  // 401 and 403 (with the allowed roles) come from @Roles.
  if (!byStatus.has(429)) byStatus.set(429, [DEFAULTS[429]]);
  const given400 = byStatus.get(400) ?? [];
  const validation = given400.some((e) => e.code === 'VALIDATION_FAILED') ? [] : [DEFAULTS[400]];
  byStatus.set(400, [...validation, ...given400, ...INPUT_400]);
  const value = (e: ErrorExample) => ({
    statusCode: e.status,
    code: e.code,
    message: e.message,
    ...(e.details ? { details: e.details } : {}),
  });
  return applyDecorators(
    ...[...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, specs]) =>
        ApiResponse({
          status,
          description: [...new Set(specs.map((e) => e.code))].join(', '),
          type: ErrorResponseDto,
          examples: Object.fromEntries(specs.map((e) => [e.code, { summary: e.message, value: value(e) }])),
        }),
      ),
  );
}
