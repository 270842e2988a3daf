import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** The one error shape (documentation only; the global filter produces it). */
export class ErrorResponseDto {
  @ApiProperty({ example: 409 }) statusCode!: number;
  @ApiProperty({ example: 'NO_LINKED_ACCOUNT', description: 'Stable machine-readable code' }) code!: string;
  @ApiProperty({ example: 'The borrower has no linked bank account: connect one first' }) message!: string;
  @ApiPropertyOptional({ example: { borrowerId: '0b7c…', next: 'POST /v1/borrowers/{id}/connect' } }) details?: Record<string, unknown>;
}

const EXAMPLES: Record<number, { code: string; message: string; details?: unknown }> = {
  400: {
    code: 'VALIDATION_FAILED',
    message: 'Invalid request: email',
    details: { fields: [{ field: 'email', errors: ['email must be an email'] }] },
  },
  401: { code: 'UNAUTHENTICATED', message: 'Missing API key: send Authorization: Bearer <key>' },
  403: { code: 'FORBIDDEN', message: 'Role analyst may not call this route (allowed: frontend, admin)' },
  404: { code: 'NOT_FOUND', message: 'Borrower 3f0c2a8e-… was not found' },
  409: { code: 'CONFLICT', message: 'Conflict with the current state' },
  422: { code: 'UNPROCESSABLE', message: 'The request cannot be processed' },
  429: { code: 'RATE_LIMITED', message: 'Too many requests' },
  502: { code: 'MONO_UNAVAILABLE', message: 'Mono did not answer' },
};

/** Documents the error responses of a route with the shared shape and an example per status. */
export function ApiErrors(
  ...statuses: Array<number | { status: number; code: string; message: string; details?: unknown }>
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    ...[400, 401, 403, 429, ...statuses].map((s) => {
      const spec = typeof s === 'number' ? { status: s, ...EXAMPLES[s] } : s;
      return ApiResponse({
        status: spec.status,
        description: spec.code,
        type: ErrorResponseDto,
        example: { statusCode: spec.status, code: spec.code, message: spec.message, ...(spec.details ? { details: spec.details } : {}) },
      });
    }),
  );
}
