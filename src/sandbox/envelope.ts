import type { Response } from 'express';

/** An expected failure of a sandbox operation; each route family renders it in its own error shape. */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Machine code, used by the admin API's `{statusCode, code, message}` shape. */
    readonly code = 'SANDBOX_ERROR',
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export const notFound = (what = 'Account'): SandboxError => new SandboxError(404, `${what} not found`, 'NOT_FOUND');
export const badRequest = (message: string, details?: unknown): SandboxError => new SandboxError(400, message, 'BAD_REQUEST', details);

export const SUCCESS_MESSAGE = 'Request was successfully completed';

/** Mono v2 envelope: `{status, message, timestamp, data, [meta]}`. */
export function sendV2(res: Response, now: Date, data: unknown, opts: { message?: string; meta?: unknown; status?: number } = {}): void {
  const body: Record<string, unknown> = {
    status: 'successful',
    message: opts.message ?? SUCCESS_MESSAGE,
    timestamp: now.toISOString(),
    data,
  };
  if (opts.meta !== undefined) body.meta = opts.meta;
  res.status(opts.status ?? 200).json(body);
}

export function sendV2Error(res: Response, now: Date, status: number, message: string): void {
  res.status(status).json({ status: 'failed', message, timestamp: now.toISOString(), data: null });
}

/** Legacy paths return resources bare and errors as `{message}`. */
export function sendLegacyError(res: Response, status: number, message: string): void {
  res.status(status).json({ message });
}

/** The sandbox admin API uses the engine's error shape. */
export function sendAdminError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  res.status(status).json(details === undefined ? { statusCode: status, code, message } : { statusCode: status, code, message, details });
}
