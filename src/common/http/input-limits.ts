import { parse as parseQueryString } from 'node:querystring';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ErrorBody } from '../errors/domain-error.js';

/**
 * Input limits enforced before any parsing the application does (this replaces express.json/urlencoded):
 *
 * - a body size limit per route family, checked against Content-Length before reading and while streaming, so an
 *   oversized body costs at most `limit` bytes of work and gets a 413;
 * - one media type per route family (JSON for the API and the Mono webhook, forms only for the analyst pages), 415
 *   otherwise — a JSON body sent form-encoded is never parsed into field names that a validation error would echo;
 * - strict UTF-8 (invalid bytes → 400, never silently U+FFFD);
 * - a JSON nesting depth limit checked by one linear scan of the text before `JSON.parse`, so deep nesting is a 400
 *   in constant stack instead of a stack overflow in the parser or the validators;
 * - no NUL characters and no lone UTF-16 surrogates in any string (keys, values, query string, path): a 400 that
 *   names the field, in the one error shape; Postgres would otherwise answer a 500 (`invalid byte sequence`) or the
 *   driver would store U+FFFD.
 */
export const MAX_JSON_DEPTH = 64;

export interface BodyRule {
  /** Bytes. */
  limit: number;
  /** The one media type accepted. */
  type: 'json' | 'form';
}

export const BODY_RULES: ReadonlyArray<{ prefix: string; rule: BodyRule }> = [
  // Mono webhooks can carry whole account payloads.
  { prefix: '/webhooks/', rule: { limit: 2 * 1024 * 1024, type: 'json' } },
  // The analyst pages post small HTML forms (login, CSRF token, a category, a stream key).
  { prefix: '/analyst', rule: { limit: 16 * 1024, type: 'form' } },
];
/** Every other route: the API's DTOs are small. */
export const DEFAULT_BODY_RULE: BodyRule = { limit: 64 * 1024, type: 'json' };
/** An oversized body up to this size (declared by Content-Length) is discarded unread after the 413; a larger one closes the connection. */
export const DRAIN_CAP = 8 * 1024 * 1024;

export function bodyRuleFor(path: string): BodyRule {
  return BODY_RULES.find((r) => path.startsWith(r.prefix))?.rule ?? DEFAULT_BODY_RULE;
}

const CODES = { 400: 'BAD_REQUEST', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' } as const;

function reject(res: Response, status: 400 | 413 | 415, message: string, opts: { code?: string; details?: unknown; close?: boolean } = {}): void {
  if (res.headersSent) return;
  const body: ErrorBody = { statusCode: status, code: opts.code ?? CODES[status], message, ...(opts.details !== undefined ? { details: opts.details } : {}) };
  // The rest of an unread body is not drained: the connection is closed after the answer.
  if (opts.close) res.setHeader('Connection', 'close');
  res.status(status).json(body);
}

/** The first problem of a string, or null: NUL or an unpaired surrogate. */
export function stringProblem(s: string): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return 'must not contain NUL characters';
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return 'must not contain unpaired UTF-16 surrogates';
    }
    if (c >= 0xdc00 && c <= 0xdfff) return 'must not contain unpaired UTF-16 surrogates';
  }
  return null;
}

/** A field name fit to appear in an error: hostile or very long keys are not echoed. */
function safeName(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/.test(key) ? key : '(unnamed field)';
}

/** Finds the first bad string in a parsed value (depth already bounded); returns the field path and the problem. */
export function findBadString(value: unknown, path = ''): { field: string; error: string } | null {
  if (typeof value === 'string') {
    const problem = stringProblem(value);
    return problem ? { field: path || '(body)', error: problem } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findBadString(value[i], path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const keyProblem = stringProblem(k);
      const field = path ? `${path}.${safeName(k)}` : safeName(k);
      if (keyProblem) return { field, error: `field name ${keyProblem}` };
      const found = findBadString(v, field);
      if (found) return found;
    }
  }
  return null;
}

/** Maximum nesting of objects/arrays in JSON text, scanning once; stops as soon as `max` is exceeded. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function badInput(res: Response, field: string, error: string): void {
  reject(res, 400, `Invalid request: ${field}`, { code: 'VALIDATION_FAILED', details: { fields: [{ field, errors: [`${field} ${error}`] }] } });
}

function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/** The Express middleware: checks path and query, then reads and parses the body within the route's limits. */
export function inputLimits(): RequestHandler {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return (req: Request, res: Response, next: NextFunction): void => {
    // Path and query string: NUL (%00) would reach Postgres.
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return reject(res, 400, 'Request path is not valid percent-encoded UTF-8');
    }
    if (stringProblem(path)) return badInput(res, '(path)', stringProblem(path)!);
    const q = req.originalUrl.indexOf('?');
    if (q >= 0) {
      const query = parseQueryString(req.originalUrl.slice(q + 1), '&', '=', { maxKeys: 100 });
      for (const [k, v] of Object.entries(query)) {
        for (const value of Array.isArray(v) ? v : [v ?? '']) {
          const problem = stringProblem(k) ?? stringProblem(value);
          if (problem) return badInput(res, safeName(k), problem);
        }
      }
    }
    if (!hasBody(req)) return next();
    const rule = bodyRuleFor(req.path);
    const type = mediaType(req);
    const accepted = rule.type === 'json' ? type === 'application/json' || type.endsWith('+json') : type === 'application/x-www-form-urlencoded';
    if (!accepted) {
      return reject(res, 415, `This route accepts ${rule.type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'} bodies only`, { close: true });
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') return reject(res, 415, `Content-Encoding ${encoding.slice(0, 20)} is not accepted`, { close: true });
    const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
    const tooLarge = `Request body exceeds ${rule.limit} bytes for this route`;
    if (declared !== undefined && (!Number.isSafeInteger(declared) || declared > rule.limit)) {
      // Answered before a byte is read. A moderately oversized body is discarded unread (no buffering, no
      // parsing) so an ordinary client still reads the 413; beyond DRAIN_CAP the connection is closed instead.
      const drain = Number.isSafeInteger(declared) && declared <= DRAIN_CAP;
      reject(res, 413, tooLarge, { close: !drain });
      if (drain) req.resume();
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      fn();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > rule.limit) {
        finish(() => {
          req.pause();
          reject(res, 413, tooLarge, { close: true });
        });
        return;
      }
      chunks.push(chunk);
    };
    const onError = () => finish(() => reject(res, 400, 'Request body could not be read', { close: true }));
    const onEnd = () =>
      finish(() => {
        let text: string;
        try {
          text = decoder.decode(Buffer.concat(chunks, size));
        } catch {
          return reject(res, 400, 'Request body is not valid UTF-8', { code: 'INVALID_ENCODING' });
        }
        let body: unknown;
        if (rule.type === 'json') {
          const trimmed = text.trimStart();
          if (trimmed === '') body = {};
          else {
            if (trimmed[0] !== '{' && trimmed[0] !== '[') return reject(res, 400, 'Request body is not valid JSON', { code: 'MALFORMED_JSON' });
            if (jsonDepthExceeds(trimmed, MAX_JSON_DEPTH)) {
              return reject(res, 400, `Request body nests deeper than ${MAX_JSON_DEPTH} levels`, { code: 'JSON_TOO_DEEP' });
            }
            try {
              body = JSON.parse(trimmed);
            } catch {
              return reject(res, 400, 'Request body is not valid JSON', { code: 'MALFORMED_JSON' });
            }
          }
        } else {
          // Flat forms only (no nesting syntax), as express.urlencoded({ extended: false }); bounded key count.
          body = { ...parseQueryString(text, '&', '=', { maxKeys: 100 }) };
        }
        const bad = findBadString(body);
        if (bad) return badInput(res, bad.field, bad.error);
        req.body = body;
        next();
      });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  };
}
