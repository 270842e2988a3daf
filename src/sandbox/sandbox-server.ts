/**
 * `startSandbox(opts)`: a local, faithful Mono simulator on its own HTTP listener — Mono's v2 and legacy API
 * (authenticated by `mono-sec-key`), the hosted link page, webhook delivery, and the `/sandbox/*` admin API.
 * See docs/sandbox.md. Everything random derives from `seed`; every timestamp from the injected `now`.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express from 'express';
import { createLogger } from '../logging/logger.js';
import { adminRouter } from './admin-routes.js';
import { sendV2Error } from './envelope.js';
import { FaultInjector } from './faults.js';
import { linkPageRouter } from './link-page.js';
import { statementsRouter } from './statements.js';
import { monoLegacyRouter } from './mono-routes-legacy.js';
import { monoV2Router } from './mono-routes-v2.js';
import { SeededRandom, hashSeed } from './random.js';
import { SandboxBank } from './sandbox-bank.js';
import type { SandboxContext } from './sandbox-context.js';
import { SandboxStore } from './sandbox-store.js';
import type { SandboxLogger, SandboxOptions, SandboxTimings, WebhookRetryOptions } from './types.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

export type { SandboxOptions } from './types.js';

export const DEFAULT_TIMINGS: Readonly<SandboxTimings> = {
  syncMinIntervalMs: 120_000,
  realtimeWindowMs: 300_000,
  webhookDelayMs: [50, 400],
  jobDurationMs: 1_500,
  linkProcessingMs: [100, 2_000],
  mfaSessionMs: 600_000,
  realtimeEnqueueAfterMs: 30_000,
  autoSyncIntervalMs: 0,
  paginationNextQuirk: false,
  reauthIssuesCode: true,
  v2ExchangeBare: false,
};

export const DEFAULT_WEBHOOK_RETRY: Readonly<WebhookRetryOptions> = { baseMs: 1_000, maxMs: 60_000, maxAttempts: 12 };

export interface SandboxServer {
  /** Where it listens, e.g. http://127.0.0.1:3100 — the engine's MONO_BASE_URL. */
  url: string;
  /** Base of `mono_url` links and pagination links. */
  publicUrl: string;
  /** Where webhooks go; null → they queue until set. */
  setWebhookTarget(url: string | null): void;
  /** Attempts every queued webhook now (ignoring delays); resolves when each had one attempt. */
  deliverPendingWebhooks(): Promise<void>;
  /** Live state and collaborators, for in-process tests. */
  state: { store: SandboxStore; bank: SandboxBank; webhooks: WebhookDispatcher; faults: FaultInjector; timings: SandboxTimings };
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions): Promise<SandboxServer> {
  // The admin API serves identities and redirects webhooks (secret header included): open only on loopback unless
  // a key is given, or null opens it explicitly.
  const listenHost = opts.host ?? '127.0.0.1';
  const loopback = listenHost === 'localhost' || listenHost === '::1' || /^127\./.test(listenHost);
  if (opts.adminKey === undefined && !loopback) {
    throw new Error(`refusing to serve the sandbox admin API without a key on ${listenHost}: pass adminKey (MONO_SANDBOX_ADMIN_KEY), or adminKey: null (MONO_SANDBOX_ADMIN_OPEN=true) to open it explicitly`);
  }
  const adminKey = opts.adminKey ?? null;
  const now = opts.now ?? (() => new Date());
  const seed = opts.seed ?? 1;
  const log: SandboxLogger = opts.logger ?? createLogger('warn').child({ component: 'mono-sandbox' });
  const timings: SandboxTimings = {
    syncMinIntervalMs: opts.syncMinIntervalMs ?? DEFAULT_TIMINGS.syncMinIntervalMs,
    realtimeWindowMs: opts.realtimeWindowMs ?? DEFAULT_TIMINGS.realtimeWindowMs,
    webhookDelayMs: opts.webhookDelayMs ?? DEFAULT_TIMINGS.webhookDelayMs,
    jobDurationMs: opts.jobDurationMs ?? DEFAULT_TIMINGS.jobDurationMs,
    linkProcessingMs: opts.linkProcessingMs ?? DEFAULT_TIMINGS.linkProcessingMs,
    mfaSessionMs: opts.mfaSessionMs ?? DEFAULT_TIMINGS.mfaSessionMs,
    realtimeEnqueueAfterMs: opts.realtimeEnqueueAfterMs ?? DEFAULT_TIMINGS.realtimeEnqueueAfterMs,
    autoSyncIntervalMs: opts.autoSyncIntervalMs ?? DEFAULT_TIMINGS.autoSyncIntervalMs,
    paginationNextQuirk: opts.paginationNextQuirk ?? DEFAULT_TIMINGS.paginationNextQuirk,
    reauthIssuesCode: opts.reauthIssuesCode ?? DEFAULT_TIMINGS.reauthIssuesCode,
    v2ExchangeBare: opts.v2ExchangeBare ?? DEFAULT_TIMINGS.v2ExchangeBare,
  };
  let retry: WebhookRetryOptions = { ...DEFAULT_WEBHOOK_RETRY, ...opts.webhookRetry };
  let publicUrl = opts.publicUrl?.replace(/\/$/, '') ?? '';

  const store = new SandboxStore(seed, now, opts.stateFile, log);
  const faults = new FaultInjector();
  const webhooks = new WebhookDispatcher(
    opts.webhookUrl ?? null,
    opts.webhookSecret,
    timings.webhookDelayMs,
    retry,
    new SeededRandom(hashSeed(seed, 'webhook-delays')),
    () => store.objectId(),
    now,
    log,
  );
  const bank = new SandboxBank(store, webhooks, timings, () => publicUrl, new SeededRandom(hashSeed(seed, 'link-delays')), log);
  const hungSockets = new Set<Socket>();
  const ctx: SandboxContext = { bank, store, faults, webhooks, timings, secretKey: opts.secretKey, now, publicUrl: () => publicUrl, log, hungSockets };

  const applyWebhookFaults = (): void => {
    const f = faults.get();
    webhooks.setFaults(f.webhookDuplicateRate > 0 || f.webhookReorder ? { duplicateRate: f.webhookDuplicateRate, reorder: f.webhookReorder, rng: faults.webhookRng() } : null);
  };


  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    '/sandbox',
    adminRouter(ctx, {
      setWebhookTarget: (url) => webhooks.setTarget(url),
      retry: () => ({ ...retry }),
      setRetry: (r) => {
        retry = r;
        webhooks.setRetry(r);
      },
      applyWebhookFaults,
      reset: () => {
        bank.close();
        store.reset();
        webhooks.clear();
        faults.clear();
        applyWebhookFaults();
        bank.scheduleAutoSync();
      },
    }, { key: adminKey, allowRemoteWebhookUrls: opts.allowRemoteWebhookUrls === true }),
  );
  app.use('/link', linkPageRouter(ctx));
  app.use('/statements', statementsRouter(ctx));
  app.use('/v2', monoV2Router(ctx));
  app.use(monoLegacyRouter(ctx));
  app.use((_req, res) => sendV2Error(res, now(), 404, 'Not found'));

  const server = http.createServer(app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!publicUrl) publicUrl = url;
  bank.resumeAfterRestart();
  bank.scheduleAutoSync();
  log.info({ url, accounts: Object.keys(store.data.accounts).length, webhookTarget: webhooks.getTarget() }, 'Mono sandbox listening');

  let closed = false;
  return {
    url,
    publicUrl,
    setWebhookTarget: (target) => webhooks.setTarget(target),
    deliverPendingWebhooks: () => webhooks.flush(),
    state: { store, bank, webhooks, faults, timings },
    close: async () => {
      if (closed) return;
      closed = true;
      bank.close();
      await webhooks.close();
      for (const s of hungSockets) s.destroy();
      store.flush();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
