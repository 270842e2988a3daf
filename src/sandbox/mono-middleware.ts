/**
 * Middleware shared by the Mono-compatible route families (v2 and legacy): the call log per account, `mono-sec-key`
 * authentication, fault injection, and error rendering in each family's shape.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { corruptTypes } from './faults.js';
import { SandboxError, sendLegacyError, sendV2Error } from './envelope.js';
import type { SandboxContext } from './sandbox-context.js';

export type Family = 'v2' | 'legacy';

const NOT_ACCOUNT_IDS = new Set(['auth', 'initiate']);

function sendError(family: Family, ctx: SandboxContext, res: Response, status: number, message: string): void {
  if (family === 'v2') sendV2Error(res, ctx.now(), status, message);
  else sendLegacyError(res, status, message);
}

export function realtimeHeader(req: Request): string | undefined {
  const v = req.get('x-realtime') ?? req.get('x-real-time');
  return v === undefined ? undefined : v;
}

export function isRealtime(req: Request): boolean {
  return realtimeHeader(req)?.trim().toLowerCase() === 'true';
}

/** Records every call under the account it concerns (known from the path, or set by the handler in `res.locals`). */
export function recordCalls(ctx: SandboxContext): RequestHandler {
  return (req, res, next) => {
    const time = ctx.now().toISOString();
    const path = req.originalUrl.split('?')[0];
    let done = false;
    const record = (status: number | null): void => {
      if (done) return;
      done = true;
      const fromPath = /^\/(?:v2\/)?accounts\/([^/]+)/.exec(path)?.[1];
      const accountId = (res.locals.accountId as string | undefined) ?? (fromPath && !NOT_ACCOUNT_IDS.has(fromPath) ? decodeURIComponent(fromPath) : undefined);
      if (!accountId) return;
      const realtime = realtimeHeader(req);
      ctx.store.recordCall(accountId, {
        method: req.method,
        path,
        query: { ...(req.query as Record<string, unknown>) },
        time,
        ...(realtime !== undefined ? { realtime } : {}),
        status,
        ...(res.locals.fault ? { fault: res.locals.fault as string } : {}),
      });
    };
    res.on('finish', () => record(res.statusCode));
    res.on('close', () => record(res.writableFinished ? res.statusCode : null));
    next();
  };
}

export function requireSecretKey(ctx: SandboxContext, family: Family): RequestHandler {
  return (req, res, next) => {
    const key = req.get('mono-sec-key');
    if (!key) return sendError(family, ctx, res, 401, 'Missing mono-sec-key header');
    if (key !== ctx.secretKey) return sendError(family, ctx, res, 401, 'Invalid secret key');
    next();
  };
}

export function injectFaults(ctx: SandboxContext, family: Family): RequestHandler {
  return (req, res, next) => {
    if (!ctx.faults.active()) return next();
    const { latencyMs, outcome } = ctx.faults.decide();
    const act = (): void => {
      switch (outcome.kind) {
        case 'none':
          return next();
        case 'rate_limit':
          res.locals.fault = 'rate_limit';
          return sendError(family, ctx, res, 429, 'Too many requests, please try again later');
        case 'error':
          res.locals.fault = `error_${outcome.status}`;
          return sendError(family, ctx, res, outcome.status, 'An error occurred, please try again');
        case 'timeout': {
          res.locals.fault = `timeout_${outcome.mode}`;
          const socket = req.socket;
          if (outcome.mode === 'destroy') {
            socket.destroy();
            return;
          }
          ctx.hungSockets.add(socket);
          const t = setTimeout(() => socket.destroy(), ctx.faults.get().timeoutHangMs);
          t.unref();
          socket.once('close', () => {
            clearTimeout(t);
            ctx.hungSockets.delete(socket);
          });
          return;
        }
        case 'malformed': {
          // Only reads are corrupted: a mangled answer to a state-changing call (code exchange, sync) would leave the
          // client unable to learn what happened, which no retry can repair. Faults never change sandbox state.
          if (req.method !== 'GET') return next();
          res.locals.fault = `malformed_${outcome.variant}`;
          const json = res.json.bind(res);
          if (outcome.variant === 'invalid_json') {
            res.json = ((_body: unknown) => {
              res.type('application/json').send('{"status":"successful","message":"Request was successfully completed","data":{"id":');
              return res;
            }) as Response['json'];
          } else {
            res.json = ((body: unknown) => json(corruptTypes(body))) as Response['json'];
          }
          return next();
        }
      }
    };
    if (latencyMs > 0) setTimeout(act, latencyMs);
    else act();
  };
}

export function notFoundHandler(ctx: SandboxContext, family: Family): RequestHandler {
  return (_req, res) => sendError(family, ctx, res, 404, 'Not found');
}

export function errorHandler(ctx: SandboxContext, family: Family): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof SandboxError) return sendError(family, ctx, res, err.status, err.message);
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') return sendError(family, ctx, res, 400, 'Request body is not valid JSON');
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return sendError(family, ctx, res, e.status, e.message ?? 'Bad request');
    ctx.log.error({ err: e?.message ?? String(err) }, 'sandbox Mono route failed');
    sendError(family, ctx, res, 500, 'An error occurred, please try again');
  };
}
