import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../common/errors/domain-error.js';
import { errorPage } from './views/layout.js';

/**
 * Errors on the analyst pages become pages: no session → redirect to the login form; wrong role → a 403 page;
 * everything else → a page with the status and a safe message (never a stack or SQL).
 */
@Catch()
export class AnalystPageFilter implements ExceptionFilter {
  private readonly logger = new Logger('AnalystPages');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if (res.headersSent) return;
    res.setHeader('Cache-Control', 'no-store');
    if (exception instanceof DomainError) {
      if (exception.code === 'UNAUTHENTICATED') {
        res.redirect(303, '/analyst/login');
        return;
      }
      if (exception.code === 'FORBIDDEN') {
        res
          .status(403)
          .type('text/html; charset=utf-8')
          .send(
            errorPage(
              'Not allowed',
              'Your API key’s role may not use the analyst pages (analyst or admin only). Log out and sign in with an analyst key.',
            ),
          );
        return;
      }
      res
        .status(exception.status)
        .type('text/html; charset=utf-8')
        .send(errorPage(exception.status === 404 ? 'Not found' : 'Request failed', exception.message));
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const m = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).message : body;
      const message = typeof m === 'string' ? m : Array.isArray(m) ? m.map(String).join(', ') : exception.message;
      res
        .status(status)
        .type('text/html; charset=utf-8')
        .send(errorPage(status === 404 ? 'Not found' : 'Request failed', message));
      return;
    }
    this.logger.error({ err: exception, path: req.path }, 'analyst page failed');
    res
      .status(500)
      .type('text/html; charset=utf-8')
      .send(errorPage('Something went wrong', 'The page could not be built. The error has been logged.'));
  }
}
