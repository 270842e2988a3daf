/**
 * Legacy Mono paths (API reference §0, §1.3, §3.3, §4.3, §6.2, §2.3, §8): resources returned bare, camelCase with
 * `_id`, errors as `{message}`. Kept because Data Sync (`/accounts/{id}/sync`) and `reauthorise` only exist here.
 */
import express, { Router, type Request } from 'express';
import { errorHandler, injectFaults, notFoundHandler, recordCalls, requireSecretKey } from './mono-middleware.js';
import { pageUrl } from './mono-routes-v2.js';
import type { SandboxContext } from './sandbox-context.js';
import { visibleTransactions } from './bank-ledger.js';
import { flowHistory, legacyIncome } from './legacy-products.js';
import { canShow, legacyAccount, legacyIdentity, legacyTransaction } from './wire.js';
import { statementJobBody } from './statements.js';

export function monoLegacyRouter(ctx: SandboxContext): Router {
  const r = Router();
  const mono = [recordCalls(ctx), requireSecretKey(ctx, 'legacy'), injectFaults(ctx, 'legacy'), express.json({ limit: '1mb' })];
  const { bank } = ctx;
  const param = (req: Request, name: string): string => String(req.params[name]);

  r.post('/account/auth', ...mono, (req, res) => {
    const id = bank.exchangeCode(req.body);
    res.locals.accountId = id;
    res.json({ id });
  });

  r.use('/accounts', ...mono);

  r.get('/accounts/:id', (req, res) => {
    res.json(legacyAccount(bank.apiAccount(param(req, 'id'))));
  });

  r.get('/accounts/:id/transactions', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    const q = bank.parseTransactionQuery(req.query);
    if (!canShow(acc, 'transactions')) return res.json({ paging: { total: 0, page: 1, previous: null, next: null }, data: [] });
    const { rows, total, page, pages } = bank.queryTransactions(acc, q);
    const link = (p: number): string => pageUrl(`${ctx.publicUrl()}/accounts/${acc.id}/transactions`, req.query, p);
    res.json({
      paging: { total, page, previous: q.paginate && page > 1 ? link(Math.min(page - 1, pages)) : null, next: q.paginate && page < pages ? link(page + 1) : null },
      data: rows.map(legacyTransaction),
    });
  });

  r.get('/accounts/:id/statement', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    const output = req.query.output ?? 'json';
    if (output === 'pdf') return res.json(statementJobBody(bank.startPdfStatement(acc, req.query.period)));
    if (output !== 'json') return res.status(400).json({ message: 'output must be json or pdf' });
    const { rows, requestedLength, availableLength } = bank.statement(acc, req.query.period);
    res.json({ meta: { count: rows.length, requested_length: requestedLength, available_length: availableLength }, data: rows.map(legacyTransaction) });
  });

  r.get('/accounts/:id/statement/jobs/:jobId', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    res.json(statementJobBody(bank.statementJob(acc.id, param(req, 'jobId'))));
  });

  r.get('/accounts/:id/identity', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    res.json(canShow(acc, 'identity') ? legacyIdentity(acc) : {});
  });

  // §4.4: monthly credit/debit aggregates; §5.3 shape (a): the synchronous legacy income estimate.
  for (const type of ['credit', 'debit'] as const) {
    r.get(`/accounts/:id/${type}s`, (req, res) => {
      const acc = bank.apiAccount(param(req, 'id'));
      res.json(flowHistory(canShow(acc, 'transactions') ? visibleTransactions(acc) : [], type));
    });
  }
  r.get('/accounts/:id/income', (req, res) => {
    const acc = bank.apiAccount(param(req, 'id'));
    res.json(legacyIncome(canShow(acc, 'transactions') ? visibleTransactions(acc) : []));
  });

  // mono-node `Misc.institutions` (§3.4): the banks the sandbox links, each with its auth methods.
  r.get('/coverage', ...mono, (_req, res) => {
    res.json(bank.coverage());
  });
  // mono-node `User.walletBalance` (§0): sandbox calls are free, so the wallet never moves.
  r.get('/users/stats/wallet', ...mono, (_req, res) => {
    res.json({ balance: 0, currency: 'NGN' });
  });
  // mono-node `Misc.bvnLookup` (§5.5): deprecated by Mono in Feb 2023; answered as a retired endpoint, legacy envelope.
  r.post('/v1/lookup/bvn/identity', ...mono, (_req, res) => {
    res.status(410).json({ message: 'This endpoint was deprecated by Mono in February 2023; use the v2 BVN iGree lookup' });
  });

  const sync = (req: Request, res: express.Response): void => {
    if (req.method === 'GET') ctx.log.warn({ accountId: param(req, 'id') }, 'legacy sync called with GET; Mono documents POST');
    const result = bank.legacySync(param(req, 'id'));
    if (result.kind === 'rate_limited') {
      res.status(429).json({ message: `Too many sync requests for this account; try again in ${Math.ceil(result.retryInMs / 1000)} seconds` });
      return;
    }
    res.status(200).json(result.body);
  };
  r.post('/accounts/:id/sync', sync);
  r.get('/accounts/:id/sync', sync);

  r.post('/accounts/:id/reauthorise', (req, res) => {
    res.json({ token: bank.reauthoriseToken(param(req, 'id')) });
  });

  r.post('/accounts/:id/unlink', (req, res) => {
    bank.unlink(param(req, 'id'));
    res.json({ message: 'Account unlinked successfully' });
  });

  r.use('/accounts', notFoundHandler(ctx, 'legacy'));
  r.use(errorHandler(ctx, 'legacy'));
  return r;
}
