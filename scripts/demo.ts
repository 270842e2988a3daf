import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEngine, type RunningEngine } from '../src/bootstrap.js';
import { formatNaira } from '../src/common/money.js';
import { AppConfig } from '../src/config/app-config.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { resolveSandboxAdminKey } from '../src/sandbox/admin-key.js';
import { SANDBOX_NOTICE_VERSION } from '../src/sandbox/link-page.js';
import { DEFAULT_POLICY } from '../src/scoring/policy/index.js';

/**
 * `npm run demo` — plays the sync-on-apply story against the Mono sandbox over the public API, and prints it:
 *   1. a borrower links a bank account (sandbox persona) and applies → decided;
 *   2. new bank activity appears; they apply again → a sync runs and the decision uses the new data;
 *   3. the bank demands re-authorisation; they apply → reauth_required → reauth link → re-authorise → decided;
 *   4. the lender books the loan; the borrower repays it on time (the sandbox's loan outcome simulator plays the
 *      borrower, the demo plays the lender's loan system) → the next application is graduated up the ladder;
 *   5. a second borrower takes a loan and stops paying after the first instalment → new credit is frozen;
 *   6. the first borrower withdraws the monitoring consent → the next re-underwriting cycle skips their review
 *      (`consent_required`) and the sandbox's call log shows no Mono call for the account.
 * Every borrower's consents (underwriting and monitoring, the sandbox notice version, channel web) are recorded
 * before the account is linked, as a lender's frontend does after showing its notice (docs/privacy.md).
 *
 * With the engine running (`npm start`) on http://localhost:3000, or `npm run demo -- --start` to start it in-process
 * (embedded Postgres + sandbox, with a short sync window so the story takes seconds, and a lender policy with a
 * graduation ladder — a ₦50,000 starter cap — so step 4 shows the step up). Keys come from API_KEYS or
 * DATA_DIR/api-keys.json (a frontend key for the story, an admin key to start the re-underwriting cycle); step 6 reads
 * the cycle's review item from the engine's database (no route lists items yet): DATABASE_URL or the embedded
 * Postgres in DATA_DIR. Options: --url URL, --sandbox URL, --persona NAME, --sync-interval SECONDS.
 * Exits non-zero when a step fails.
 */

interface Options {
  start: boolean;
  url: string | null;
  sandbox: string | null;
  persona: string;
  syncIntervalSeconds: number | null;
}

function parseArgs(argv: string[]): Options {
  const opt = (name: string): string | null => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? (argv[i + 1] ?? null) : null;
  };
  const interval = opt('sync-interval');
  return {
    start: argv.includes('--start'),
    url: opt('url'),
    sandbox: opt('sandbox'),
    persona: opt('persona') ?? 'salaried_monthly',
    syncIntervalSeconds: interval === null ? null : Number(interval),
  };
}

const bold = (s: string): string => (process.stdout.isTTY ? `\u001b[1m${s}\u001b[0m` : s);
const dim = (s: string): string => (process.stdout.isTTY ? `\u001b[2m${s}\u001b[0m` : s);
const say = (s = ''): void => {
  process.stdout.write(`${s}\n`);
};
const step = (n: string, title: string): void => say(`\n${bold(`${n}. ${title}`)}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Api {
  constructor(
    private readonly base: string,
    private readonly key: string,
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    p: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.base}${p}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : {}) as T;
    if (res.status >= 400) throw new Error(`${method} ${p} → ${res.status} ${text}`);
    return { status: res.status, body: parsed };
  }
}

/** The sandbox admin API's key (x-sandbox-admin-key): the in-process engine's, else MONO_SANDBOX_ADMIN_KEY or DATA_DIR's. */
let sandboxAdminKey: string | null = null;

async function sandboxCall<T = Record<string, unknown>>(base: string, method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/sandbox${p}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(sandboxAdminKey ? { 'x-sandbox-admin-key': sandboxAdminKey } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox ${method} ${p} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

async function waitUntil<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

interface DecisionView {
  outcome: string;
  offer: { amountMinor: number; tenorMonths: number; instalmentMinor: number } | null;
  limit: { amountMinor: number } | null;
  decision: string;
  recommendedLimit: number;
  instalment: number;
  currency: string;
  bindingConstraint: string;
  reasons: Array<{ code: string; message: string; severity: string }>;
  flags: string[];
  income: { monthlyEstimate: number };
  obligations: { monthlyTotal: number };
  coverage: { months: number; transactionCount: number };
  dataAsOf: string;
  policyVersion: string;
}

interface CycleView {
  cycleId: string;
  status: string;
  budget: number;
  monoCallsSpent: number;
  counters: { total: number; done: number; failed: number; skipped: number };
}

interface ApplicationView {
  id: string;
  status: string;
  staleData: boolean;
  accounts: Array<{ id: string; syncStatus: string }>;
  decision?: DecisionView;
}

/** The frontend key (or admin) for the story, and an admin key for the re-underwriting cycle of step 6. */
function loadKeys(config: AppConfig): { frontend: string; admin: string } {
  const seeded = (role: string): string | undefined => config.seedApiKeys.find((k) => k.role === role)?.key;
  let frontend = seeded('frontend');
  let admin = seeded('admin');
  if (!frontend || !admin) {
    const file = path.join(config.database.dataDir, 'api-keys.json');
    const keys = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>) : {};
    frontend ??= keys.frontend;
    admin ??= keys.admin;
    if (!frontend && !admin) throw new Error(`no API key: set API_KEYS or start the engine once so it writes ${file}`);
  }
  frontend ??= admin;
  if (!admin || !frontend) throw new Error('step 6 starts a re-underwriting cycle: API_KEYS needs an admin key (role admin)');
  return { frontend, admin };
}

interface ConsentView {
  id: string;
  purpose: string;
  status: string;
  noticeVersion: string;
  channel: string;
  grantedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  unlinkedAccountIds?: string[];
}

/**
 * What the lender's frontend does once the borrower ticked the notice's boxes (the sandbox's hosted link page shows
 * the same notice, version SANDBOX_NOTICE_VERSION): one consent per purpose, channel web, before linking.
 */
async function recordConsents(api: Api, borrowerId: string): Promise<Record<'underwriting' | 'monitoring', ConsentView>> {
  const grant = async (purpose: string): Promise<ConsentView> =>
    (await api.call<ConsentView>('POST', `/v1/borrowers/${borrowerId}/consents`, { purpose, noticeVersion: SANDBOX_NOTICE_VERSION, channel: 'web' })).body;
  return { underwriting: await grant('underwriting'), monitoring: await grant('monitoring') };
}

function printConsent(c: ConsentView): void {
  say(
    `   consent ${c.id}  ${c.purpose.padEnd(12)} ${c.status}; notice ${c.noticeVersion}, channel ${c.channel}, granted ${c.grantedAt}, expires ${c.expiresAt ?? 'never (until revoked)'}`,
  );
}

/** The cycle's review item of the borrower, from review_items (no API route lists a cycle's items yet). */
async function reviewItem(databaseUrl: string, cycleId: string, borrowerId: string): Promise<{ status: string; error: string | null; result: unknown } | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ status: string; error: string | null; result: unknown }>(
      'SELECT status, error, result FROM review_items WHERE cycle_id = $1 AND borrower_id = $2',
      [cycleId, borrowerId],
    );
    return rows.rows[0] ?? null;
  } finally {
    await client.end();
  }
}

function printDecision(app: ApplicationView): void {
  const d = app.decision;
  if (!d) return;
  say(`   decision          ${bold(d.decision.toUpperCase())} (${d.outcome})${app.staleData ? ' (on cached data: STALE_DATA)' : ''}`);
  if (d.offer) say(`   offer             ${bold(formatNaira(d.offer.amountMinor, d.currency))} over ${d.offer.tenorMonths} months at ${formatNaira(d.offer.instalmentMinor, d.currency)}/month`);
  // What the borrower is shown: the limit (the ceiling for future applications) only on approvals; on a referral or
  // a decline the computed figure is the analyst's, labelled as such.
  if (d.limit) say(`   limit             ${bold(formatNaira(d.limit.amountMinor, d.currency))} (ceiling for the next applications)`);
  else say(dim(`   analyst's computed limit ${formatNaira(d.recommendedLimit, d.currency)} (not shown to the borrower: ${d.outcome})`));
  say(`   binding constraint ${d.bindingConstraint}`);
  say(
    `   verified income   ${formatNaira(d.income.monthlyEstimate, d.currency)}/month; other lenders ${formatNaira(d.obligations.monthlyTotal, d.currency)}/month`,
  );
  say(`   data              ${d.coverage.transactionCount} transactions, ${d.coverage.months} complete months, as of ${d.dataAsOf}`);
  for (const r of d.reasons) say(dim(`   · ${r.code}: ${r.message}`));
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  let engine: RunningEngine | null = null;
  const overrides: Record<string, string> = {};
  if (opts.start) {
    // A short sync window and deadline so the returning-borrower part of the story takes seconds, not minutes.
    overrides.SYNC_MIN_INTERVAL_SECONDS = String(opts.syncIntervalSeconds ?? 5);
    overrides.APPLICATION_SYNC_DEADLINE_SECONDS = '60';
    overrides.LOG_LEVEL = 'warn';
    // A lender policy with the graduation ladder on (₦50,000 first loans), unless POLICY_FILE names one already.
    if (!process.env.POLICY_FILE) overrides.POLICY_FILE = writeLadderPolicy();
  }
  const config = AppConfig.fromEnvironment({ ...process.env, ...overrides });
  const syncWindow = opts.syncIntervalSeconds ?? config.mono.syncMinIntervalSeconds;
  let restoreSandbox: (() => Promise<void>) | null = null;
  try {
    if (opts.start) {
      say(dim('starting the engine in-process (embedded Postgres + Mono sandbox)…'));
      engine = await startEngine(config);
    }
    const base = (opts.url ?? engine?.url ?? `http://localhost:${config.port}`).replace(/\/$/, '');
    const sandbox = (opts.sandbox ?? engine?.sandbox?.url ?? `http://localhost:${config.mono.sandboxPort}`).replace(/\/$/, '');
    sandboxAdminKey = engine?.sandbox ? engine.sandbox.adminKey : resolveSandboxAdminKey(config).key;
    const keys = loadKeys(config);
    const api = new Api(base, keys.frontend);
    const adminApi = new Api(base, keys.admin);
    say(bold('Mono underwriting engine — sync-on-apply demo'));
    say(dim(`engine ${base}   sandbox ${sandbox}   persona ${opts.persona}`));
    // Mono allows one manual sync per account per 2 minutes; the story syncs three times in a minute, so the demo
    // shortens the sandbox's limit for its run (and puts it back at the end).
    const sandboxConfig = await sandboxCall<{ syncMinIntervalMs: number }>(sandbox, 'GET', '/config');
    restoreSandbox = () => sandboxCall(sandbox, 'POST', '/config', { syncMinIntervalMs: sandboxConfig.syncMinIntervalMs }).then(() => undefined);
    await sandboxCall(sandbox, 'POST', '/config', { syncMinIntervalMs: Math.max(0, syncWindow) * 1000 });
    say(dim(`the sandbox plays Mono with a ${Math.max(0, syncWindow)}-second sync limit for this demo (Mono's is 2 minutes)`));

    const waitForSyncWindow = async (why: string): Promise<void> => {
      if (syncWindow <= 0) return;
      say(dim(`   (waiting ${syncWindow + 1}s: ${why}; SYNC_MIN_INTERVAL_SECONDS=${syncWindow})`));
      await sleep((syncWindow + 1) * 1000);
    };
    const applyAndWait = async (amount: number, until: string[], who = borrowerId, tenorMonths = 6): Promise<ApplicationView> => {
      const submitted = await api.call<{ id: string; status: string }>(
        'POST',
        '/v1/applications',
        { borrowerId: who, amount, tenorMonths, purpose: 'demo' },
        { 'idempotency-key': `demo-${Date.now()}-${Math.random().toString(36).slice(2)}` },
      );
      say(`   application ${submitted.body.id} → ${submitted.status} ${submitted.body.status}`);
      let last = '';
      return waitUntil(`application ${submitted.body.id}`, async () => {
        const app = (await api.call<ApplicationView>('GET', `/v1/applications/${submitted.body.id}`)).body;
        const line = `${app.status} [${app.accounts.map((a) => a.syncStatus).join(', ')}]`;
        if (line !== last) say(`   … ${line}`);
        last = line;
        if (app.status === 'failed') throw new Error(`application ${app.id} failed`);
        return until.includes(app.status) ? app : null;
      });
    };

    // ------------------------------------------------------------------ 1. link and apply
    step('1', 'A borrower links a bank account and applies');
    // The bank side first: a sandbox persona, so the borrower's name matches the account holder's.
    const created = await sandboxCall<{ code: string; accountId: string }>(sandbox, 'POST', '/accounts', { persona: opts.persona });
    const truth = await sandboxCall<{ account: { name: string } }>(sandbox, 'GET', `/accounts/${created.accountId}`);
    const fullName = truth.account.name.toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase());
    const borrower = await api.call<{ id: string }>('POST', '/v1/borrowers', {
      externalId: `demo-${Date.now()}`,
      fullName,
      email: 'borrower@example.com',
    });
    const borrowerId = borrower.body.id;
    say(`   borrower ${fullName} → ${borrowerId}`);
    // The borrower reads the data-sharing notice and consents before linking (docs/privacy.md): without a consent the
    // engine makes no Mono call for the account.
    const consents = await recordConsents(api, borrowerId);
    say(`   the borrower read the data-sharing notice ${SANDBOX_NOTICE_VERSION} and ticked both boxes; recorded before linking:`);
    printConsent(consents.underwriting);
    printConsent(consents.monitoring);
    say(`   Mono Connect widget returned code ${created.code.slice(0, 12)}… for sandbox account ${created.accountId}`);
    const linked = await api.call<{ id: string; dataStatus: string }>('POST', `/v1/borrowers/${borrowerId}/accounts`, {
      code: created.code,
    });
    say(`   linked account ${linked.body.id} (data ${linked.body.dataStatus})`);
    const firstCount = await waitUntil('first ingestion', async () => {
      const page = await api.call<{ items: unknown[] }>('GET', `/v1/borrowers/${borrowerId}/transactions?limit=500`);
      return page.body.items.length > 0 ? page.body.items.length : null;
    });
    say(`   ingested ${firstCount}${firstCount === 500 ? '+' : ''} transactions`);
    const first = await applyAndWait(30_000_000, ['decided']);
    printDecision(first);

    // ------------------------------------------------------------------ 2. new activity, sync on apply
    step('2', 'New bank activity appears; the borrower applies again and a sync runs');
    // After the newest row the bank already holds (a later running balance is never restated) and before today:
    // the engine decides as of today and counts complete days only.
    const now = Date.now();
    const ledger = await sandboxCall<{ transactions: Array<{ date: string }> }>(sandbox, 'GET', `/accounts/${created.accountId}`);
    const newest = Math.max(...ledger.transactions.map((x) => Date.parse(x.date)));
    const lagosMidnight = Date.parse(`${new Date(now + 3_600_000).toISOString().slice(0, 10)}T00:00:00+01:00`);
    const gap = Math.max(1, Math.floor((lagosMidnight - newest) / 4));
    const at = (k: number): string => new Date(newest + k * gap).toISOString();
    const activity = [
      { id: `demo-bonus-${now}`, narration: 'NIP/ACME NIGERIA LTD/PERFORMANCE BONUS', amount: 25_000_000, type: 'credit', date: at(1) },
      { id: `demo-pos-${now}`, narration: 'POS PURCHASE SHOPRITE LEKKI', amount: 1_850_000, type: 'debit', date: at(2) },
      { id: `demo-airtime-${now}`, narration: 'AIRTIME MTN 08031234567', amount: 200_000, type: 'debit', date: at(3) },
    ];
    await sandboxCall(sandbox, 'POST', `/accounts/${created.accountId}/transactions`, { transactions: activity });
    say(`   the bank now holds ${activity.length} new transactions (a ${formatNaira(25_000_000)} bonus, spending)`);
    await waitForSyncWindow('the data must be older than the sync window for a returning borrower to be synced');
    const second = await applyAndWait(30_000_000, ['decided']);
    printDecision(second);
    const asOf1 = first.decision?.dataAsOf ?? '';
    const asOf2 = second.decision?.dataAsOf ?? '';
    if (!(Date.parse(asOf2) > Date.parse(asOf1))) throw new Error(`the second decision did not use newer data (${asOf1} → ${asOf2})`);
    say(
      `   ${bold('dataAsOf moved')} ${asOf1} → ${asOf2}; transactions ${first.decision?.coverage.transactionCount} → ${second.decision?.coverage.transactionCount}`,
    );

    // ------------------------------------------------------------------ 3. reauth
    step('3', 'The bank demands re-authorisation; the borrower applies, re-authorises, and the application completes');
    await sandboxCall(sandbox, 'POST', `/accounts/${created.accountId}/require-reauth`, {});
    say('   the bank will refuse the next sync until the borrower re-authorises');
    await waitForSyncWindow('outside the sync window again');
    const waiting = await applyAndWait(30_000_000, ['reauth_required', 'decided']);
    if (waiting.status !== 'reauth_required') throw new Error(`expected reauth_required, got ${waiting.status}`);
    const link = await api.call<{ monoUrl: string | null }>('POST', `/v1/borrowers/${borrowerId}/reauth`, { accountId: linked.body.id });
    say(`   reauth link for the borrower: ${link.body.monoUrl ?? '(legacy token issued)'}`);
    await sandboxCall(sandbox, 'POST', `/accounts/${created.accountId}/complete-reauth`, {});
    say('   the borrower completed the reauth widget');
    const done = await waitUntil('the application to complete', async () => {
      const app = (await api.call<ApplicationView>('GET', `/v1/applications/${waiting.id}`)).body;
      if (app.status === 'failed') throw new Error(`application ${app.id} failed`);
      return app.status === 'decided' ? app : null;
    });
    say(`   … ${done.status} [${done.accounts.map((a) => a.syncStatus).join(', ')}]`);
    printDecision(done);

    // ------------------------------------------------------------------ 4. a loan repaid on time → graduated
    step('4', 'The lender books the loan and the borrower repays it on time; the next application is graduated');
    const offered = done.decision?.offer;
    if (!offered) throw new Error(`expected an offer on the decided application, got outcome ${done.decision?.outcome ?? 'none'}`);
    const firstLoan = await bookLoan(api, borrowerId, done.id, Math.min(offered.amountMinor, 5_000_000), 65);
    say(`   loan ${firstLoan.id}: ${formatNaira(firstLoan.principalMinor)} over 2 months, disbursed ${firstLoan.disbursedAt.slice(0, 10)}`);
    const repaid = await repayAsSimulated(api, sandbox, created.accountId, firstLoan, {});
    say(`   the sandbox plays the borrower (${repaid.behaviour.persona}: ${repaid.behaviour.why})`);
    for (const r of repaid.repayments) say(`   · instalment ${r.seq} paid ${r.paidOn}${r.daysLate > 0 ? ` (${r.daysLate} days late)` : ' (on time)'}`);
    const afterFirst = (await api.call<{ status: string; daysPastDue: number }>('GET', `/v1/loans/${firstLoan.id}`)).body;
    say(`   loan status ${bold(afterFirst.status)}`);
    if (afterFirst.status !== 'closed') throw new Error(`expected the first loan repaid (closed), got ${afterFirst.status}`);
    await waitForSyncWindow('outside the sync window again');
    const graduated = await applyAndWait(30_000_000, ['decided']);
    printDecision(graduated);
    const before = done.decision?.limit?.amountMinor ?? 0;
    const after = graduated.decision?.limit?.amountMinor ?? 0;
    const ladder = graduated.decision?.reasons.find((r) => r.code === 'GRADUATION_CAP');
    if (done.decision?.bindingConstraint === 'graduation') {
      if (!(after > before)) throw new Error(`expected the limit to step up after on-time repayment (${before} → ${after})`);
      say(`   ${bold('graduated')}: limit ${formatNaira(before)} → ${formatNaira(after)}${ladder ? ` — ${ladder.message}` : ''}`);
    } else {
      say(dim('   (the policy of this engine has no graduation ladder — set repayment.graduation.starterCapMinor in POLICY_FILE to see the step up)'));
    }

    // ------------------------------------------------------------------ 5. a loan that falls behind → frozen
    step('5', 'A second borrower takes a loan and stops paying after the first instalment; new credit is frozen');
    const second2 = await linkBorrower(api, sandbox, 'weekly_gig');
    say(`   borrower ${second2.fullName} → ${second2.borrowerId} (persona weekly_gig)`);
    const firstApp = await applyAndWait(3_000_000, ['decided'], second2.borrowerId, 2);
    printDecision(firstApp);
    const offer2 = firstApp.decision?.offer;
    if (!offer2) throw new Error(`expected an offer for the second borrower, got ${firstApp.decision?.outcome ?? 'none'}`);
    const lateLoan = await bookLoan(api, second2.borrowerId, firstApp.id, offer2.amountMinor, 80);
    say(`   loan ${lateLoan.id}: ${formatNaira(lateLoan.principalMinor)} over 2 months, disbursed ${lateLoan.disbursedAt.slice(0, 10)}`);
    // The scenario: the gig income dried up after the first payout (stopAfter 1).
    const partly = await repayAsSimulated(api, sandbox, second2.sandboxAccountId, lateLoan, { stopAfter: 1 });
    for (const r of partly.repayments) say(`   · instalment ${r.seq} paid ${r.paidOn}`);
    const behind = (await api.call<{ status: string; daysPastDue: number }>('GET', `/v1/loans/${lateLoan.id}`)).body;
    say(`   loan status ${bold(behind.status)}, ${behind.daysPastDue} days past due`);
    const frozen = await applyAndWait(1_000_000, ['decided'], second2.borrowerId, 1);
    printDecision(frozen);
    const arrears = frozen.decision?.reasons.find((r) => r.code === 'OWN_LOAN_IN_ARREARS');
    if (frozen.decision?.outcome !== 'declined' || arrears?.severity !== 'blocking')
      throw new Error(`expected a decline for arrears (OWN_LOAN_IN_ARREARS, blocking), got ${frozen.decision?.outcome} / ${arrears?.severity ?? 'no arrears reason'}`);
    say(`   ${bold('frozen')}: ${arrears.message}`);


    // ------------------------------------------------------------------ 6. revocation stops re-underwriting
    step('6', 'The first borrower withdraws monitoring; the next re-underwriting cycle skips them without calling Mono');
    // Mono's own daily sync brings new activity and the engine ingests it (webhook-driven): the borrower is due for review.
    const held = await sandboxCall<{ transactions: Array<{ date: string }> }>(sandbox, 'GET', `/accounts/${created.accountId}`);
    const heldNewest = Math.max(...held.transactions.map((x) => Date.parse(x.date)));
    const refund = {
      id: `demo-refund-${Date.now()}`,
      narration: 'NIP/ACME NIGERIA LTD/EXPENSE REFUND',
      amount: 1_200_000,
      type: 'credit',
      date: new Date(Math.max(heldNewest + 60_000, Date.now() - 3_600_000)).toISOString(),
    };
    await sandboxCall(sandbox, 'POST', `/accounts/${created.accountId}/transactions`, { transactions: [refund] });
    const daily = await sandboxCall<{ outcome: string }>(sandbox, 'POST', `/accounts/${created.accountId}/auto-sync`, {});
    if (daily.outcome !== 'updated') throw new Error(`the sandbox's automatic sync answered ${daily.outcome}`);
    await waitUntil('the webhook-driven ingestion of the new activity', async () => {
      const page = await api.call<{ items: Array<{ narration: string }> }>('GET', `/v1/borrowers/${borrowerId}/transactions?limit=20`);
      return page.body.items.some((x) => x.narration === refund.narration) ? true : null;
    });
    say(`   Mono's daily sync brought a ${formatNaira(refund.amount)} refund; the engine ingested it, so the borrower is due for review`);

    const revoked = (
      await api.call<ConsentView>('POST', `/v1/consents/${consents.monitoring.id}/revoke`, { reason: 'the borrower switched off monitoring in the app' })
    ).body;
    if (revoked.status !== 'revoked') throw new Error(`expected the monitoring consent revoked, got ${revoked.status}`);
    say(`   POST /v1/consents/${revoked.id}/revoke → ${bold(revoked.status)} at ${revoked.revokedAt ?? '?'}; unlinked accounts: ${revoked.unlinkedAccountIds?.length ? revoked.unlinkedAccountIds.join(', ') : 'none'}`);
    const left = (await api.call<{ items: ConsentView[] }>('GET', `/v1/borrowers/${borrowerId}/consents`)).body.items;
    const stillActive = left.filter((c) => c.status === 'active').map((c) => c.purpose);
    say(`   still active: ${stillActive.join(', ') || 'none'} (the account stays linked; a new application can still sync it)`);
    if (stillActive.join() !== 'underwriting') throw new Error(`expected only the underwriting consent active, got ${stillActive.join(', ') || 'none'}`);
    // A review asks for a sync only outside the sync window; inside it the account would count as rate-limited.
    await waitForSyncWindow('the last sync must be outside the window for the review to ask for one');

    const decisionsBefore = (await api.call<{ items: unknown[] }>('GET', `/v1/borrowers/${borrowerId}/decisions`)).body.items.length;
    const callsBefore = (await sandboxCall<{ calls: Array<{ method: string; path: string }> }>(sandbox, 'GET', `/accounts/${created.accountId}/calls`)).calls.length;
    const cycleStart = (await adminApi.call<{ cycleId: string; resumed: boolean; items: number }>('POST', '/v1/admin/reunderwrite', {})).body;
    say(`   POST /v1/admin/reunderwrite → cycle ${cycleStart.cycleId}${cycleStart.resumed ? ' (resumed the unfinished one)' : ''}, ${cycleStart.items} ${cycleStart.items === 1 ? 'borrower' : 'borrowers'} due`);
    const cycle = await waitUntil(
      `re-underwriting cycle ${cycleStart.cycleId}`,
      async () => {
        const p = (await adminApi.call<CycleView>('GET', `/v1/admin/reunderwrite/${cycleStart.cycleId}`)).body;
        return p.status === 'running' ? null : p;
      },
      300_000,
    );
    const c = cycle.counters;
    say(`   cycle ${cycle.status}: ${c.total} due, ${c.done} reviewed, ${c.skipped} skipped, ${c.failed} failed; Mono calls spent ${cycle.monoCallsSpent}/${cycle.budget}`);
    if (cycle.status !== 'completed') throw new Error(`the re-underwriting cycle ended ${cycle.status}`);
    const databaseUrl = engine?.databaseUrl ?? config.database.url;
    const db = databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.embeddedPort, attach: true });
    let item: Awaited<ReturnType<typeof reviewItem>>;
    try {
      item = await reviewItem(databaseUrl ?? db!.url, cycle.cycleId, borrowerId);
    } finally {
      await db?.stop();
    }
    if (!item) throw new Error(`the cycle has no review item for borrower ${borrowerId}`);
    const skippedFor = (item.result as { skipped?: string } | null)?.skipped;
    say(`   review item of ${fullName}: ${bold(item.status)} (${skippedFor ?? 'no skip reason'}) — ${item.error ?? ''}`);
    if (item.status !== 'skipped' || skippedFor !== 'consent_required') throw new Error(`expected the review skipped with consent_required, got ${item.status} / ${skippedFor ?? 'none'}`);
    const callsAfter = (await sandboxCall<{ calls: Array<{ method: string; path: string; realtime?: string }> }>(sandbox, 'GET', `/accounts/${created.accountId}/calls`)).calls;
    const during = callsAfter.slice(callsBefore);
    const syncs = during.filter((x) => /\/sync$/.test(x.path) || x.realtime === 'true');
    say(`   sandbox call log for account ${created.accountId}: ${during.length} Mono calls during the cycle (${syncs.length} syncs) — ${callsBefore} → ${callsAfter.length}`);
    if (during.length > 0) throw new Error(`expected no Mono call for the account during the cycle, got ${during.map((x) => `${x.method} ${x.path}`).join(', ')}`);
    const decisionsAfter = (await api.call<{ items: unknown[] }>('GET', `/v1/borrowers/${borrowerId}/decisions`)).body.items.length;
    if (decisionsAfter !== decisionsBefore) throw new Error(`expected no new decision for the skipped review (${decisionsBefore} → ${decisionsAfter})`);
    say(`   ${bold('monitoring revoked')}: no sync, no fetch, no new decision for the account; the underwriting consent still covers the next application`);

    const history = await api.call<{ items: Array<{ decision: string; recommendedLimit: number; dataAsOf: string }> }>(
      'GET',
      `/v1/borrowers/${borrowerId}/decisions`,
    );
    step('✓', `Done: every step ended as expected; ${history.body.items.length} decisions recorded for the first borrower (newest first)`);
    for (const d of history.body.items)
      say(`   ${d.decision.padEnd(8)} ${formatNaira(d.recommendedLimit).padStart(16)}  data as of ${d.dataAsOf}`);
  } finally {
    await restoreSandbox?.().catch(() => undefined);
    await engine?.close();
  }
}

interface LoanView {
  id: string;
  principalMinor: number;
  disbursedAt: string;
  schedule: Array<{ seq: number; dueDate: string; amountDueMinor: number }>;
}

/** The lender's loan system books a 2-month loan against a decided application, disbursed `daysAgo` days ago. */
async function bookLoan(api: Api, borrowerId: string, applicationId: string, principalMinor: number, daysAgo: number): Promise<LoanView> {
  const disbursedAt = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  return (
    await api.call<LoanView>(
      'POST',
      '/v1/loans',
      { borrowerId, applicationId, principalMinor, currency: 'NGN', disbursedAt, tenorMonths: 2 },
      { 'idempotency-key': `demo-loan-${applicationId}` },
    )
  ).body;
}

interface Simulated {
  behaviour: { persona: string; why: string };
  repayments: Array<{ seq: number; paidOn: string; amountMinor: number; daysLate: number }>;
}

/** Asks the sandbox how the persona's borrower repays the schedule, then records each repayment as the lender would. */
async function repayAsSimulated(api: Api, sandbox: string, accountId: string, loan: LoanView, scenario: { stopAfter?: number }): Promise<Simulated> {
  const sim = await sandboxCall<Simulated>(sandbox, 'POST', `/accounts/${accountId}/loan-outcome`, { schedule: loan.schedule, seed: 1, ...scenario });
  for (const r of sim.repayments) {
    await api.call('POST', `/v1/loans/${loan.id}/repayments`, { amountMinor: r.amountMinor, paidAt: `${r.paidOn}T10:00:00.000Z`, reference: `demo-${loan.id}-${r.seq}` });
  }
  return sim;
}

/** A borrower named as the persona's account holder, with consents, linked through the widget code. */
async function linkBorrower(api: Api, sandbox: string, persona: string): Promise<{ borrowerId: string; fullName: string; sandboxAccountId: string }> {
  const created = await sandboxCall<{ code: string; accountId: string }>(sandbox, 'POST', '/accounts', { persona });
  const truth = await sandboxCall<{ account: { name: string } }>(sandbox, 'GET', `/accounts/${created.accountId}`);
  const fullName = truth.account.name.toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase());
  const borrower = await api.call<{ id: string }>('POST', '/v1/borrowers', { externalId: `demo-${persona}-${Date.now()}`, fullName, email: 'second@example.com' });
  await recordConsents(api, borrower.body.id);
  await api.call('POST', `/v1/borrowers/${borrower.body.id}/accounts`, { code: created.code });
  await waitUntil('first ingestion', async () => {
    const page = await api.call<{ items: unknown[] }>('GET', `/v1/borrowers/${borrower.body.id}/transactions?limit=1`);
    return page.body.items.length > 0 ? true : null;
  });
  return { borrowerId: borrower.body.id, fullName, sandboxAccountId: created.accountId };
}

/** The shipped policy with the graduation ladder on (a ₦50,000 starter cap), in a temporary file for POLICY_FILE. */
function writeLadderPolicy(): string {
  const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY)) as Record<string, unknown> & { repayment: NonNullable<typeof DEFAULT_POLICY.repayment> };
  policy.name = 'demo-ladder';
  policy.repayment = { ...policy.repayment, graduation: { ...policy.repayment.graduation, starterCapMinor: 5_000_000 } };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'demo-policy-')), 'policy.json');
  fs.writeFileSync(file, JSON.stringify(policy, null, 2));
  return file;
}

main().catch((err: unknown) => {
  process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
