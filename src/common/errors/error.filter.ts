import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, type ErrorBody } from './domain-error.js';

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
};

/** Maps every thrown thing to `{ statusCode, code, message, details? }`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error({ err: exception }, 'unhandled error');
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      return { statusCode: exception.status, code: exception.code, message: exception.message, ...(exception.details ? { details: exception.details } : {}) };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 400 && exception.cause instanceof SyntaxError) {
        return { statusCode: 400, code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' };
      }
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response && 'statusCode' in response) {
        return response as ErrorBody;
      }
      const message =
        typeof response === 'string'
          ? response
          : typeof (response as { message?: unknown }).message === 'string'
            ? (response as { message: string }).message
            : exception.message;
      return { statusCode: status, code: STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), message };
    }
    // Other middleware errors that carry a 4xx status. (Bodies are parsed by common/http/input-limits.ts, which
    // answers its own 400/413/415; Express's body-parser is off.)
    const maybe = exception as { status?: number; statusCode?: number; message?: string };
    const status = maybe?.status ?? maybe?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { statusCode: status, code: STATUS_CODES[status] ?? 'BAD_REQUEST', message: maybe.message ?? 'Bad request' };
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL', message: 'Internal server error' };
  }
}
