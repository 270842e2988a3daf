/**
 * The sandbox's own admin API under `/sandbox` (no `mono-sec-key`; never subject to faults): scenario set-up, ground
 * truth, the call log, fault injection, timings, the webhook delivery log. Errors use the engine's
 * `{statusCode, code, message, details?}` shape. Documented in `GET /sandbox/openapi.json` and docs/sandbox.md.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { isObject } from './admin-input.js';
import { SandboxError, badRequest, sendAdminError } from './envelope.js';
import { sandboxOpenApi } from './openapi.js';
import { parseOutcomeRequest, repaymentBehaviour, simulateRepayments, type PersonaTruth } from './loan-outcomes.js';
import { personaList } from './persona-catalog.js';
import type { SandboxContext } from './sandbox-context.js';
import type { SandboxTimings, WebhookRetryOptions } from './types.js';

export interface AdminHooks {
  setWebhookTarget(url: string | null): void;
  retry(): WebhookRetryOptions;
  setRetry(retry: WebhookRetryOptions): void;
  applyWebhookFaults(): void;
  reset(): void;
}

export interface AdminAccess {
  /** Required in `x-sandbox-admin-key`; null = open. */
  key: string | null;
  allowRemoteWebhookUrls: boolean;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function adminRouter(ctx: SandboxContext, hooks: AdminHooks, access: AdminAccess = { key: null, allowRemoteWebhookUrls: false }): Router {
  const r = Router();
  if (access.key !== null) {
    const expected = sha256(access.key);
    r.use((req, res, next) => {
      if (req.method === 'GET' && req.path === '/openapi.json') return next();
      const sent = req.headers['x-sandbox-admin-key'];
      // Constant time over digests (equal lengths whatever was sent).
      if (typeof sent === 'string' && timingSafeEqual(sha256(sent), expected)) return next();
      sendAdminError(res, 401, 'UNAUTHORIZED', 'The sandbox admin API needs its key in x-sandbox-admin-key (docs/sandbox.md, "Admin API")');
    });
  }
  r.use(express.json({ limit: '50mb' }));
  const { bank, store, webhooks } = ctx;
  const param = (req: Request, name: string): string => String(req.params[name]);

  r.get('/openapi.json', (_req, res) => {
    res.json(sandboxOpenApi(ctx.publicUrl()));
  });

  r.get('/personas', (_req, res) => {
    res.json({ personas: personaList() });
  });

  r.post('/accounts', (req, res) => {
    res.status(201).json(bank.createAccount(req.body));
  });

  r.get('/accounts', (_req, res) => {
    res.json({
      accounts: bank.allAccounts().map((a) => ({
        id: a.id,
        state: a.state,
        name: a.name,
        dataStatus: a.dataStatus,
        persona: a.persona,
        ref: a.ref,
        mfa: a.mfa,
        reauthRequired: a.reauthRequired,
        transactions: a.transactions.length,
        pending: a.transactions.filter((t) => !t.visible).length,
      })),
    });
  });

  r.get('/accounts/:id', (req, res) => {
    res.json(bank.groundTruth(param(req, 'id')));
  });

  r.post('/accounts/:id/transactions', (req, res) => {
    res.status(201).json(bank.appendTransactions(param(req, 'id'), req.body));
  });

  r.post('/accounts/:id/require-reauth', (req, res) => {
    const acc = bank.requireReauth(param(req, 'id'));
    res.json({ accountId: acc.id, reauthRequired: acc.reauthRequired });
  });

  r.post('/accounts/:id/complete-reauth', (req, res) => {
    const { account: acc, code } = bank.completeReauth(param(req, 'id'));
    res.json({ accountId: acc.id, reauthRequired: acc.reauthRequired, code });
  });

  r.post('/accounts/:id/auto-sync', (req, res) => {
    const fail = isObject(req.body) && req.body.fail === true;
    res.json({ accountId: param(req, 'id'), ...bank.automaticSync(param(req, 'id'), fail) });
  });

  r.post('/accounts/:id/bank-outage', (req, res) => {
    const down = isObject(req.body) ? req.body.down : undefined;
    if (typeof down !== 'boolean') throw badRequest('down must be a boolean');
    const acc = bank.setBankOutage(param(req, 'id'), down);
    res.json({ accountId: acc.id, bankDown: acc.bankDown === true });
  });

  r.post('/accounts/:id/unlink', (req, res) => {
    bank.unlink(param(req, 'id'));
    res.json({ accountId: param(req, 'id'), state: 'unlinked' });
  });

  // The loan outcome simulator: how this persona's borrower repays the given schedule (src/sandbox/loan-outcomes.ts).
  r.post('/accounts/:id/loan-outcome', (req, res) => {
    const acc = bank.anyAccount(param(req, 'id'));
    const truth = acc.labels as Partial<PersonaTruth> | undefined;
    if (!truth || typeof truth.persona !== 'string' || typeof truth.expectedMonthlyIncomeMinor !== 'number') {
      throw badRequest('the account has no persona ground truth: create it from a persona to simulate loan outcomes');
    }
    const input = parseOutcomeRequest(req.body);
    const instalment = Math.max(...input.schedule.map((i) => i.amountDueMinor));
    const behaviour = repaymentBehaviour(
      {
        persona: truth.persona,
        expectedMonthlyIncomeMinor: truth.expectedMonthlyIncomeMinor,
        monthlyLoanRepaymentMinor: truth.monthlyLoanRepaymentMinor ?? 0,
        gamblingShare: truth.gamblingShare ?? '0',
      },
      instalment,
    );
    if (input.stopAfter !== undefined) {
      behaviour.stopAfter = input.stopAfter;
      behaviour.why = `${behaviour.why}; stopAfter set by the caller (a scenario)`;
    }
    const repayments = simulateRepayments(input.schedule, behaviour, { asOf: input.asOf ?? store.nowIso(), seed: input.seed });
    res.json({ accountId: acc.id, behaviour, repayments });
  });

  r.get('/accounts/:id/calls', (req, res) => {
    const acc = bank.anyAccount(param(req, 'id'));
    res.json({ accountId: acc.id, calls: store.callsFor(acc.id) });
  });

  r.get('/faults', (_req, res) => {
    res.json(ctx.faults.get());
  });
  r.post('/faults', (req, res) => {
    const config = ctx.faults.set(req.body);
    hooks.applyWebhookFaults();
    res.json(config);
  });
  r.delete('/faults', (_req, res) => {
    ctx.faults.clear();
    hooks.applyWebhookFaults();
    res.json(ctx.faults.get());
  });

  const configView = (): Record<string, unknown> => ({ ...ctx.timings, webhookRetry: hooks.retry(), webhookUrl: webhooks.getTarget() });
  r.get('/config', (_req, res) => {
    res.json(configView());
  });
  r.post('/config', (req, res) => {
    applyConfig(ctx.timings, hooks, req.body, access.allowRemoteWebhookUrls);
    webhooks.setDelay(ctx.timings.webhookDelayMs);
    bank.scheduleAutoSync();
    res.json(configView());
  });

  r.post('/reset', (_req, res) => {
    hooks.reset();
    res.json({ reset: true });
  });

  r.get('/webhooks', (req, res) => {
    const accountId = typeof req.query.accountId === 'string' ? req.query.accountId : undefined;
    const event = typeof req.query.event === 'string' ? req.query.event : undefined;
    res.json({ target: webhooks.getTarget(), pending: webhooks.pendingCount(), deliveries: webhooks.deliveries({ accountId, event }) });
  });
  r.post('/webhooks/flush', async (_req, res) => {
    await webhooks.flush();
    res.json({ pending: webhooks.pendingCount() });
  });

  r.use((_req, res) => sendAdminError(res, 404, 'NOT_FOUND', 'No such sandbox admin route'));
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof SandboxError) return sendAdminError(res, err.status, err.code, err.message, err.details);
    const e = err as { type?: string; message?: string };
    if (e?.type === 'entity.parse.failed') return sendAdminError(res, 400, 'BAD_REQUEST', 'Request body is not valid JSON');
    ctx.log.error({ err: e?.message ?? String(err) }, 'sandbox admin route failed');
    sendAdminError(res, 500, 'INTERNAL', 'Sandbox admin route failed');
  };
  r.use(onError);
  return r;
}

function applyConfig(timings: SandboxTimings, hooks: AdminHooks, body: unknown, allowRemoteWebhookUrls: boolean): void {
  if (!isObject(body)) throw badRequest('config must be a JSON object');
  const allowed = ['syncMinIntervalMs', 'realtimeWindowMs', 'webhookDelayMs', 'jobDurationMs', 'linkProcessingMs', 'mfaSessionMs', 'realtimeEnqueueAfterMs', 'autoSyncIntervalMs', 'paginationNextQuirk', 'reauthIssuesCode', 'v2ExchangeBare', 'webhookRetry', 'webhookUrl'];
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) throw badRequest(`unknown config setting(s): ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
  const ms = (k: string): number | undefined => {
    const v = body[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw badRequest(`${k} must be a non-negative integer (ms)`);
    return v;
  };
  const range = (k: string): [number, number] | undefined => {
    const v = body[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) || (v[0] as number) > (v[1] as number)) {
      throw badRequest(`${k} must be [min, max] in ms with 0 ≤ min ≤ max`);
    }
    return [v[0] as number, v[1] as number];
  };
  // Validate everything before changing anything.
  const next: Partial<SandboxTimings> = {
    syncMinIntervalMs: ms('syncMinIntervalMs'),
    realtimeWindowMs: ms('realtimeWindowMs'),
    jobDurationMs: ms('jobDurationMs'),
    mfaSessionMs: ms('mfaSessionMs'),
    realtimeEnqueueAfterMs: ms('realtimeEnqueueAfterMs'),
    autoSyncIntervalMs: ms('autoSyncIntervalMs'),
    webhookDelayMs: range('webhookDelayMs'),
    linkProcessingMs: range('linkProcessingMs'),
  };
  if (body.paginationNextQuirk !== undefined && typeof body.paginationNextQuirk !== 'boolean') throw badRequest('paginationNextQuirk must be a boolean');
  if (body.reauthIssuesCode !== undefined && typeof body.reauthIssuesCode !== 'boolean') throw badRequest('reauthIssuesCode must be a boolean');
  if (body.v2ExchangeBare !== undefined && typeof body.v2ExchangeBare !== 'boolean') throw badRequest('v2ExchangeBare must be a boolean');
  let retry: WebhookRetryOptions | undefined;
  if (body.webhookRetry !== undefined) {
    const w = body.webhookRetry;
    if (!isObject(w)) throw badRequest('webhookRetry must be {baseMs, maxMs, maxAttempts}');
    const current = hooks.retry();
    retry = { ...current };
    for (const k of ['baseMs', 'maxMs', 'maxAttempts'] as const) {
      const v = w[k];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (k === 'maxAttempts' ? 1 : 0)) throw badRequest(`webhookRetry.${k} must be a non-negative integer`);
      retry[k] = v;
    }
  }
  const url = body.webhookUrl;
  if (url !== undefined && url !== null && (typeof url !== 'string' || !/^https?:\/\//.test(url))) throw badRequest('webhookUrl must be an http(s) URL or null');
  // Webhooks carry the webhook secret: by default they may only be pointed at this machine.
  if (typeof url === 'string' && !allowRemoteWebhookUrls && !isLoopbackUrl(url)) {
    throw badRequest('webhookUrl must be on this machine (127.0.0.1, ::1 or localhost) unless the sandbox runs with allowRemoteWebhookUrls');
  }
  for (const [k, v] of Object.entries(next)) if (v !== undefined) (timings as unknown as Record<string, unknown>)[k] = v;
  if (typeof body.paginationNextQuirk === 'boolean') timings.paginationNextQuirk = body.paginationNextQuirk;
  if (typeof body.reauthIssuesCode === 'boolean') timings.reauthIssuesCode = body.reauthIssuesCode;
  if (typeof body.v2ExchangeBare === 'boolean') timings.v2ExchangeBare = body.v2ExchangeBare;
  if (retry) hooks.setRetry(retry);
  if (url !== undefined) hooks.setWebhookTarget(url);
}

function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
