/**
 * Expected business failures are DomainErrors with a stable code; one global filter maps each code to an HTTP
 * status (exhaustively, via ERROR_STATUS). Unexpected errors are thrown as-is and become 500s.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  BORROWER_EXISTS: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  NO_LINKED_ACCOUNT: 409,
  REAUTH_NOT_REQUIRED: 409,
  ACCOUNT_UNLINKED: 409,
  REUNDERWRITE_ALREADY_RUNNING: 409,
  CONSENT_REQUIRED: 409,
  CONSENT_ALREADY_REVOKED: 409,
  ERASURE_BLOCKED: 409,
  INPUT_ERASED: 410,
  LOAN_NOT_ALLOWED: 409,
  LOAN_NOT_OPEN: 409,
  REPAYMENT_REFERENCE_REUSED: 409,
  REPAYMENT_NOT_REVERSIBLE: 409,
  OVERPAYMENT: 422,
  UNPROCESSABLE: 422,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  MONO_UNAVAILABLE: 502,
  MONO_REJECTED: 502,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string) {
    super('NOT_FOUND', `${entity} ${id} was not found`, { entity, id });
  }
}

/** The one error body every 4xx/5xx uses. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}
