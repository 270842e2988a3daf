/** Mono v2 API (API reference §2–§8): `{status, message, timestamp, data, [meta]}` envelopes, snake_case, `id`. */
import express, { Router, type Request, type Response } from 'express';
import { sendV2, sendV2Error, SUCCESS_MESSAGE } from './envelope.js';
import { errorHandler, injectFaults, isRealtime, notFoundHandler, recordCalls, requireSecretKey } from './mono-middleware.js';
import type { SandboxContext } from './sandbox-context.js';
import type { JobName, SandboxAccount } from './types.js';
import { canShow, v2AccountDetails, v2Balance, v2Identity, v2ListItem, v2Transaction } from './wire.js';
import { statementJobBody } from './statements.js';
import { visibleTransactions } from './bank-ledger.js';
import { flowHistory } from './legacy-products.js';

const ENQUEUED_MESSAGE = 'Your request has been enqueued; you will be notified by webhook when the sync is complete';
const PROCESSING_MESSAGE = 'Account data is still being processed; you will be notified by webhook when it is available';

export function monoV2Router(ctx: SandboxContext): Router {
  const r = Router();
  r.use(recordCalls(ctx), requireSecretKey(ctx, 'v2'), injectFaults(ctx, 'v2'), express.json({ limit: '1mb' }));
  const { bank } = ctx;
  const param = (req: Request, name: string): string => String(req.params[name]);

  /**
   * Starts (or joins) the real-time job when the header asks for it and sets Mono's headers (§6.3): `x-job-id`,
   * `x-job-status`, `x-has-new-data` once the job finished (`true` or `false`), and `x-reauth-required` (`true` when
   * the bank will demand re-authorisation, e.g. an MFA bank). Returns true when the answer must be Mono's "enqueued"
   * `data: null` (§1.5: the job takes longer than `realtimeEnqueueAfterMs`, 30 s at Mono).
   */
  const realtime = (req: Request, res: Response, id: string, name: JobName): boolean => {
    if (!isRealtime(req)) return false;
    const { job, reauthRequired } = bank.realtime(id, name);
    res.set('x-job-id', job.id);
    res.set('x-job-status', job.status);
    if (job.status === 'finished') res.set('x-has-new-data', job.hasNewData ? 'true' : 'false');
    res.set('x-reauth-required', reauthRequired ? 'true' : 'false');
    return job.status === 'processing' && !reauthRequired && ctx.timings.jobDurationMs > ctx.timings.realtimeEnqueueAfterMs;
  };

  r.post('/accounts/initiate', (req, res) => {
    sendV2(res, ctx.now(), bank.initiate(req.body));
  });

  r.post('/accounts/auth', (req, res) => {
    const id = bank.exchangeCode(req.body);
    res.locals.accountId = id;
    // Mono's integration guide shows a bare {id}; its reference, clients and logs the envelope (a setting).
    if (ctx.timings.v2ExchangeBare) return void res.json({ id });
    sendV2(res, ctx.now(), { id });
  });

  r.get('/accounts', (req, res) => {
    const num = (v: unknown, fallback: number): number => (typeof v === 'string' && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : fallback);
    const page = num(req.query.page, 1);
    const limit = Math.min(500, num(req.query.limit, 20));
    const all = bank.apiAccounts();
    const pages = Math.max(1, Math.ceil(all.length / limit));
    const link = (p: number): string => `${ctx.publicUrl()}/v2/accounts?page=${p}&limit=${limit}`;
    sendV2(res, ctx.now(), all.slice((page - 1) * limit, page * limit).map(v2ListItem), {
      meta: { total: all.length, pages, previous: page > 1 ? link(page - 1) : null, next: page < pages ? link(page + 1) : null },
    });
  });

  r.get('/accounts/:id', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    if (realtime(req, res, acc.id, 'jobs.accounts.sync_balance')) return sendV2(res, ctx.now(), null, { message: ENQUEUED_MESSAGE });
    sendV2(res, ctx.now(), v2AccountDetails(acc));
  });

  r.get('/accounts/:id/balance', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    if (realtime(req, res, acc.id, 'jobs.accounts.sync_balance')) return sendV2(res, ctx.now(), null, { message: ENQUEUED_MESSAGE });
    if (!canShow(acc, 'balance')) return sendV2(res, ctx.now(), null, { message: notAvailable(acc, 'balance') });
    sendV2(res, ctx.now(), v2Balance(acc));
  });

  r.get('/accounts/:id/transactions', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    const q = bank.parseTransactionQuery(req.query);
    if (realtime(req, res, acc.id, 'jobs.accounts.sync_statement')) return sendV2(res, ctx.now(), null, { message: ENQUEUED_MESSAGE, meta: null });
    if (!canShow(acc, 'transactions')) {
      return sendV2(res, ctx.now(), [], { message: notAvailable(acc, 'transactions'), meta: { total: 0, page: 1, previous: null, next: null } });
    }
    const { rows, total, page, pages } = bank.queryTransactions(acc, q);
    const filtered = q.start !== null || q.end !== null || q.type !== null || q.narration !== null;
    if (total === 0 && filtered && ctx.faults.get().emptyFilterNull) {
      return sendV2(res, ctx.now(), null, { message: 'No transactions found for the provided filter', meta: null });
    }
    const base = ctx.timings.paginationNextQuirk ? `/v2/${acc.id}/transactions` : `/v2/accounts/${acc.id}/transactions`;
    const link = (p: number): string => pageUrl(ctx.publicUrl() + base, req.query, p);
    sendV2(res, ctx.now(), rows.map(v2Transaction), {
      message: total === 0 ? 'No transactions found for the provided filter' : SUCCESS_MESSAGE,
      meta: {
        total,
        page,
        previous: q.paginate && page > 1 ? link(Math.min(page - 1, pages)) : null,
        next: q.paginate && page < pages ? link(page + 1) : null,
      },
    });
  });

  r.get('/accounts/:id/statement', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    const output = req.query.output ?? 'json';
    if (output === 'pdf') return sendV2(res, ctx.now(), statementJobBody(bank.startPdfStatement(acc, req.query.period)));
    if (output !== 'json') return sendV2Error(res, ctx.now(), 400, 'output must be json or pdf');
    const { rows, requestedLength, availableLength } = bank.statement(acc, req.query.period);
    sendV2(res, ctx.now(), rows.map(v2Transaction), { meta: { count: rows.length, requested_length: requestedLength, available_length: availableLength } });
  });

  // §4.4: the monthly inflow/outflow aggregates moved here from the legacy paths in Jul 2025. Mono does not say
  // whether v2 wraps them; like every other v2 route they come in the v2 envelope.
  for (const type of ['credit', 'debit'] as const) {
    r.get(`/accounts/:id/${type}s`, (req, res) => {
      const acc = bank.apiAccount(param(req, 'id'));
      sendV2(res, ctx.now(), flowHistory(canShow(acc, 'transactions') ? visibleTransactions(acc) : [], type));
    });
  }

  // §5.3: asynchronous, billed at Mono; the report arrives as mono.events.account_income.
  r.get('/accounts/:id/income', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    if (ctx.faults.get().incomeError) return sendV2Error(res, ctx.now(), 503, 'Income service is temporarily unavailable');
    bank.requestIncome(acc, req.query.period);
    sendV2(res, ctx.now(), null, { message: 'Income is being processed and will be sent to your webhook' });
  });

  r.get('/accounts/:id/income-records', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    const page = req.query.page === undefined ? 1 : Number(req.query.page);
    if (!Number.isInteger(page) || page < 1) return sendV2Error(res, ctx.now(), 400, 'page must be a positive integer');
    const { rows, total, pages } = bank.incomeRecordsPage(acc, page);
    const link = (p: number): string => `${ctx.publicUrl()}/v2/accounts/${acc.id}/income-records?page=${p}`;
    sendV2(res, ctx.now(), rows, { meta: { total, pages, previous: page > 1 ? link(page - 1) : null, next: page < pages ? link(page + 1) : null } });
  });

  r.get('/accounts/:id/statement/jobs/:jobId', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    sendV2(res, ctx.now(), statementJobBody(bank.statementJob(acc.id, param(req, 'jobId'))));
  });

  r.get('/accounts/:id/identity', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    if (!canShow(acc, 'identity')) return sendV2(res, ctx.now(), null, { message: notAvailable(acc, 'identity') });
    sendV2(res, ctx.now(), v2Identity(acc, ctx.now().toISOString()));
  });

  r.get('/accounts/:id/jobs/:jobId', (req, res) => {
    const job = bank.job(param(req, 'id'), param(req, 'jobId'));
    sendV2(res, ctx.now(), { id: job.id, status: job.status, name: job.name, account: job.accountId, business: bank.business, app: bank.app });
  });

  r.post('/accounts/:id/unlink', (req, res) => {
    bank.unlink(param(req, 'id'));
    // Mono's v2 unlink answers without a data field.
    res.status(200).json({ status: 'successful', message: 'Account unlinked successfully', timestamp: ctx.now().toISOString() });
  });

  r.use(notFoundHandler(ctx, 'v2'));
  r.use(errorHandler(ctx, 'v2'));
  return r;
}

function notAvailable(acc: SandboxAccount, part: string): string {
  return acc.state === 'processing' ? PROCESSING_MESSAGE : `The ${part} of this account could not be retrieved (data_status ${acc.dataStatus})`;
}

/** The incoming query with `page` replaced, as Mono builds its `next`/`previous` links. */
export function pageUrl(base: string, query: Record<string, unknown>, page: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (k !== 'page' && typeof v === 'string') params.set(k, v);
  params.set('page', String(page));
  return `${base}?${params.toString()}`;
}

