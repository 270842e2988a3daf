/**
 * The simulated Mono back end: accounts and their bank-side activity, linking (widget code and hosted link),
 * legacy Data Sync, real-time jobs, re-authorisation and unlink, and the webhooks each of them fires (API reference
 * §2, §6, §7.3). Routes stay thin and call one method here; expected failures are thrown as `SandboxError`.
 */
import { lagosDate } from '../ingestion/normalise/lagos-date.js';
import {
  isObject,
  parseAccount,
  parseIdentity,
  parseMonoDate,
  parseOptions,
  parseTransactions,
  type AccountInput,
  type AccountOptionsInput,
  type TransactionInput,
} from './admin-input.js';
import { bankBalance, fillRunningBalances, newestFirst, pendingTransactions, recomputeBalancesFrom, visibleTransactions } from './bank-ledger.js';
import { SandboxError, badRequest, notFound } from './envelope.js';
import { buildPersona, isPersonaName, PERSONA_NAMES, type GeneratedPersona } from './persona-catalog.js';
import type { SeededRandom } from './random.js';
import type { SandboxStore } from './sandbox-store.js';
import type {
  BankTransaction,
  JobName,
  LinkSession,
  RealtimeJob,
  RetrievedPart,
  SandboxAccount,
  SandboxCustomer,
  SandboxIdentity,
  SandboxLogger,
  SandboxTimings,
  SettledDataStatus,
} from './types.js';
import type { WebhookDispatcher, WebhookEventInput } from './webhook-dispatcher.js';
import { canShow, v2Transaction, webhookAccount } from './wire.js';
import { v2IncomeReport } from './legacy-products.js';
import { renderStatementPdf, statementJobId, type StatementJob } from './statements.js';

const canShowTransactions = (acc: SandboxAccount): boolean => canShow(acc, 'transactions');

const TEN_MINUTES = 10 * 60 * 1000;
/** Statement period when the caller gives none (Mono's SDK and quickstart send none; Mono's default is not documented). */
const DEFAULT_STATEMENT_MONTHS = 12;
const ALL_PARTS: RetrievedPart[] = ['identity', 'balance', 'transactions'];

export interface CreatedAccount {
  code: string;
  accountId: string;
  /** Further accounts of the same persona (self_transfer_pair), each with its own widget code. */
  extraAccounts?: Array<{ code: string; accountId: string }>;
}

export type LegacySyncResult =
  | { kind: 'rate_limited'; retryInMs: number }
  | { kind: 'result'; body: { status: 'successful' | 'failed'; hasNewData: boolean; code: string; message: string | null } };

export interface TransactionQuery {
  start: string | null;
  end: string | null;
  type: 'debit' | 'credit' | null;
  narration: string | null;
  paginate: boolean;
  limit: number;
  page: number;
}

export class SandboxBank {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly statementJobs = new Map<string, StatementJob>();
  /** v2 income reports per account, newest first (`GET /v2/accounts/{id}/income-records`). */
  private readonly incomeRecords = new Map<string, Array<Record<string, unknown>>>();
  private readonly statementPdfs = new Map<string, Buffer>();
  /** Resolves when a statement job leaves BUILDING (in-process tests await it instead of polling). */
  private readonly statementSettled = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  private readonly timersByAccount = new Map<string, number>();
  private readonly idleWaiters = new Map<string, Array<() => void>>();
  private autoSyncTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: SandboxStore,
    private readonly webhooks: WebhookDispatcher,
    readonly timings: SandboxTimings,
    private readonly publicUrl: () => string,
    private readonly rng: SeededRandom,
    private readonly log: SandboxLogger,
  ) {}

  // ---------------------------------------------------------------- lookups

  private get s() {
    return this.store.data;
  }

  /** Any account the sandbox holds (admin view), whatever its link state. */
  anyAccount(id: string): SandboxAccount {
    const acc = this.s.accounts[id];
    if (!acc) throw notFound();
    return acc;
  }

  /** An account the Mono API knows: linked or still processing. Pending (code not exchanged) and unlinked → 404. */
  apiAccount(id: string): SandboxAccount {
    const acc = this.s.accounts[id];
    if (!acc || acc.state === 'pending' || acc.state === 'unlinked') throw notFound();
    return acc;
  }

  apiAccounts(): SandboxAccount[] {
    return Object.values(this.s.accounts)
      .filter((a) => a.state === 'processing' || a.state === 'linked')
      .sort((a, b) => (a.linkedAt ?? '').localeCompare(b.linkedAt ?? '') || a.id.localeCompare(b.id));
  }

  allAccounts(): SandboxAccount[] {
    return Object.values(this.s.accounts);
  }

  get app(): string {
    return this.s.app;
  }

  get business(): string {
    return this.s.business;
  }

  // ---------------------------------------------------------------- admin: scenario set-up

  /** `POST /sandbox/accounts`: an account from explicit data or from a persona, plus a widget code to link it. */
  createAccount(body: unknown): CreatedAccount {
    if (!isObject(body)) throw badRequest('body must be a JSON object');
    const options = parseOptions(body.options);
    const personaName = typeof body.persona === 'string' ? body.persona : null;
    if (personaName !== null) return this.createFromPersona(personaName, body, options);
    if (body.persona !== undefined) throw badRequest('persona must be a string');
    const account = parseAccount(body.account);
    const transactions = parseTransactions(body.transactions);
    const identity = parseIdentity(body.identity);
    const acc = this.addAccount(account, transactions, identity, options, null);
    return { code: this.issueCode(acc.id), accountId: acc.id };
  }

  private createFromPersona(name: string, body: Record<string, unknown>, options: AccountOptionsInput): CreatedAccount {
    if (!isPersonaName(name)) throw badRequest(`unknown persona "${name}"; one of ${PERSONA_NAMES.join(', ')}`);
    const seed = body.seed;
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed))) throw badRequest('seed must be an integer');
    const months = body.months;
    if (months !== undefined && (typeof months !== 'number' || !Number.isSafeInteger(months) || months < 1 || months > 36)) {
      throw badRequest('months must be an integer from 1 to 36');
    }
    const asOf = body.asOf ?? this.todayInLagos();
    if (typeof asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw badRequest('asOf must be YYYY-MM-DD');
    const accountId = typeof body.accountId === 'string' ? body.accountId : undefined;
    if (accountId && this.s.accounts[accountId]) throw new SandboxError(409, `account ${accountId} already exists`, 'CONFLICT');
    const persona = buildPersona(name, { asOf, seed: seed, months: months, accountId: accountId ?? this.store.objectId() });
    const created = this.addPersonaAccounts(persona, options);
    return {
      code: this.issueCode(created[0].id),
      accountId: created[0].id,
      ...(created.length > 1 ? { extraAccounts: created.slice(1).map((a) => ({ code: this.issueCode(a.id), accountId: a.id })) } : {}),
    };
  }

  private addPersonaAccounts(persona: GeneratedPersona, options: AccountOptionsInput): SandboxAccount[] {
    const opts: AccountOptionsInput = { ...options, mfa: options.mfa || persona.options.mfa, persona: persona.labels.persona };
    const identity: SandboxIdentity = {
      full_name: persona.identity.full_name,
      first_name: persona.identity.first_name,
      last_name: persona.identity.last_name,
      middle_name: persona.identity.middle_name,
      bvn: persona.identity.bvn,
      email: persona.identity.email,
      phone: persona.identity.phone,
      gender: persona.identity.gender,
      dob: persona.identity.dob,
      address_line1: persona.identity.address_line_1,
      state_of_origin: null,
      lga_of_origin: null,
      marital_status: persona.identity.marital_status,
    };
    if (!opts.customer) opts.customer = { name: persona.identity.full_name, email: persona.identity.email };
    const all = [{ account: persona.account, transactions: persona.transactions }, ...persona.extraAccounts];
    return all.map((pa, i) => {
      const input = parseAccount(pa.account);
      if (input.id && this.s.accounts[input.id]) input.id = null; // same persona and seed created twice
      const txns = parseTransactions(pa.transactions);
      return this.addAccount(input, txns, identity, opts, i === 0 ? persona.labels : undefined);
    });
  }

  private addAccount(input: AccountInput, txns: TransactionInput[], identity: SandboxIdentity | null, options: AccountOptionsInput, labels: unknown): SandboxAccount {
    if (input.id && this.s.accounts[input.id]) throw new SandboxError(409, `account ${input.id} already exists`, 'CONFLICT');
    const customer = this.customerFor(options.customer, input.name, identity?.email ?? null);
    const now = this.store.nowIso();
    const dataStatus = options.dataStatus ?? input.dataStatus ?? 'AVAILABLE';
    const acc: SandboxAccount = {
      id: input.id ?? this.store.objectId(),
      customerId: customer.id,
      name: input.name,
      accountNumber: input.accountNumber ?? this.accountNumber(),
      currency: input.currency,
      type: input.type,
      bvnLast4: input.bvn ? input.bvn.slice(-4) : identity?.bvn ? identity.bvn.slice(-4) : null,
      institution: { id: this.institutionId(input.institution.bankCode), ...input.institution },
      authMethod: input.authMethod,
      openingBalance: input.balance ?? 0,
      identity: identity ?? this.defaultIdentity(input.name, input.bvn),
      state: 'pending',
      dataStatus,
      retrievedData: options.retrievedData ?? input.retrievedData ?? defaultRetrieved(dataStatus),
      ref: options.ref,
      mfa: options.mfa,
      reauthRequired: false,
      reauthorisedAt: null,
      persona: options.persona,
      transactions: [],
      lastLegacySyncAt: null,
      createdAt: now,
      updatedAt: now,
      linkedAt: null,
      unlinkedAt: null,
      ...(labels !== undefined ? { labels } : {}),
    };
    this.addTransactions(acc, txns, true, { before: null, closing: input.balance });
    if (txns.length > 0 && input.balance === null) acc.openingBalance = bankBalance(acc);
    this.s.accounts[acc.id] = acc;
    this.store.save();
    return acc;
  }

  /** `POST /sandbox/accounts/{id}/transactions`: new bank activity, visible to the API after the next sync. */
  appendTransactions(id: string, body: unknown): { accountId: string; added: Array<Record<string, unknown>>; pending: number } {
    const acc = this.anyAccount(id);
    if (!isObject(body)) throw badRequest('body must be a JSON object with a transactions array');
    if (!Array.isArray(body.transactions) || body.transactions.length === 0) throw badRequest('transactions must be a non-empty array');
    const txns = parseTransactions(body.transactions);
    // Before the link, new activity is part of what the first pull will see anyway.
    const before = acc.transactions.length > 0 ? bankBalance(acc) : acc.openingBalance;
    const added = this.addTransactions(acc, txns, acc.state === 'pending', { before, closing: null });
    acc.updatedAt = this.store.nowIso();
    this.store.save();
    return { accountId: acc.id, added: added.map(v2Transaction), pending: pendingTransactions(acc).length };
  }

  private addTransactions(acc: SandboxAccount, txns: TransactionInput[], visible: boolean, balances: { before: number | null; closing: number | null }): BankTransaction[] {
    const ids = new Set(acc.transactions.map((t) => t.id));
    for (const t of txns) {
      if (t.id && ids.has(t.id)) throw new SandboxError(409, `transaction ${t.id} already exists on account ${acc.id}`, 'CONFLICT');
      if (t.id) ids.add(t.id);
    }
    // Inputs are usually newest first (Mono order): reverse before a stable date sort so equal dates keep their order.
    const oldestFirst = [...txns].reverse().sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
    const filled = fillRunningBalances(oldestFirst, balances.before, balances.closing);
    let seq = acc.transactions.reduce((m, t) => Math.max(m, t.seq), 0);
    const added: BankTransaction[] = filled.map((t) => ({
      id: t.id ?? this.store.objectId(),
      narration: t.narration,
      amount: t.amount,
      type: t.type,
      balance: t.balance,
      date: t.date,
      category: t.category,
      currency: t.currency ?? acc.currency,
      seq: ++seq,
      visible,
    }));
    acc.transactions.push(...added);
    // Appended activity may be back-dated between existing rows: re-derive every later running balance so the ledger
    // stays continuous (the first link's rows are the whole ledger, already filled above).
    if (balances.closing === null && added.length > 0) recomputeBalancesFrom(acc.transactions, added[0].seq, acc.openingBalance);
    return newestFirst(added);
  }

  requireReauth(id: string): SandboxAccount {
    const acc = this.anyAccount(id);
    acc.reauthRequired = true;
    acc.reauthorisedAt = null;
    acc.updatedAt = this.store.nowIso();
    this.store.save();
    return acc;
  }

  /** `POST /sandbox/accounts/{id}/bank-outage`: while down, every sync of the account fails. */
  setBankOutage(id: string, down: boolean): SandboxAccount {
    const acc = this.anyAccount(id);
    acc.bankDown = down;
    acc.updatedAt = this.store.nowIso();
    this.store.save();
    return acc;
  }

  /** (Re)starts Mono's automatic sync of every linked account per `timings.autoSyncIntervalMs` (0 = off). */
  scheduleAutoSync(): void {
    if (this.autoSyncTimer) clearInterval(this.autoSyncTimer);
    this.autoSyncTimer = null;
    const every = this.timings.autoSyncIntervalMs;
    if (!(every > 0)) return;
    this.autoSyncTimer = setInterval(() => {
      for (const acc of Object.values(this.s.accounts)) {
        if (acc.state !== 'linked') continue;
        try {
          this.automaticSync(acc.id, false);
        } catch (err) {
          this.log.error({ accountId: acc.id, err: err instanceof Error ? err.message : String(err) }, 'sandbox automatic sync failed');
        }
      }
    }, every);
    this.autoSyncTimer.unref();
  }

  /**
   * One legacy automatic (scheduled) sync — from the scheduler, or played with `POST …/auto-sync`: `account_updated`,
   * or `reauthorisation_required` (the bank demands reauth), or `sync_failed` (bank down, or `fail` asked for).
   */
  automaticSync(id: string, fail: boolean): { outcome: 'updated' | 'reauthorisation_required' | 'sync_failed'; hasNewData: boolean } {
    const acc = this.linkedAccount(id);
    if (fail || acc.bankDown) {
      this.webhooks.emit([{ event: 'mono.events.sync_failed', accountId: acc.id, data: { account: { _id: acc.id } } }]);
      return { outcome: 'sync_failed', hasNewData: false };
    }
    if (this.needsReauth(acc)) {
      acc.reauthRequired = true;
      this.store.save();
      this.webhooks.emit([{ event: 'mono.events.reauthorisation_required', accountId: acc.id, data: { account: { _id: acc.id } } }]);
      return { outcome: 'reauthorisation_required', hasNewData: false };
    }
    const hasNewData = this.pull(acc);
    this.webhooks.emit([this.accountUpdated(acc, { has_new_data: hasNewData })]);
    return { outcome: 'updated', hasNewData };
  }

  /** Ground truth for tests: every bank-side transaction, synced or not. */
  groundTruth(id: string): Record<string, unknown> {
    const acc = this.anyAccount(id);
    const all = newestFirst(acc.transactions);
    return {
      id: acc.id,
      state: acc.state,
      dataStatus: acc.dataStatus,
      retrievedData: acc.retrievedData,
      ref: acc.ref,
      customer: acc.customerId,
      persona: acc.persona,
      mfa: acc.mfa,
      reauthRequired: acc.reauthRequired,
      account: {
        id: acc.id,
        name: acc.name,
        account_number: acc.accountNumber,
        currency: acc.currency,
        balance: bankBalance(acc),
        type: acc.type,
        bvn: acc.bvnLast4,
        institution: { name: acc.institution.name, bank_code: acc.institution.bankCode, type: acc.institution.type },
      },
      identity: acc.identity,
      transactions: all.map(v2Transaction),
      pendingTransactionIds: all.filter((t) => !t.visible).map((t) => t.id),
      ...(acc.labels !== undefined ? { labels: acc.labels } : {}),
    };
  }

  // ---------------------------------------------------------------- linking

  private issueCode(accountId: string, kind: 'link' | 'reauth' = 'link'): string {
    const code = this.store.token('code_', 26);
    const expiresAt = new Date(this.store.nowMs() + TEN_MINUTES).toISOString();
    this.s.codes[code] = { code, accountId, expiresAt, usedAt: null, ...(kind === 'reauth' ? { kind } : {}) };
    this.store.save();
    return code;
  }

  /** `POST /v2/accounts/auth` and legacy `POST /account/auth`: single use, 10-minute expiry. */
  exchangeCode(body: unknown): string {
    const code = isObject(body) ? body.code : undefined;
    if (typeof code !== 'string' || code.trim() === '') throw badRequest('code is required');
    const entry = this.s.codes[code];
    if (!entry) throw badRequest('Invalid code');
    if (entry.usedAt) throw badRequest('Code has already been used');
    if (Date.parse(entry.expiresAt) <= this.store.nowMs()) throw badRequest('Code has expired');
    if (entry.kind === 'reauth') {
      // A code handed over after a reauth: the account is linked already; the exchange only confirms its id.
      const linked = this.s.accounts[entry.accountId];
      if (!linked || (linked.state !== 'linked' && linked.state !== 'processing')) throw badRequest('Invalid code');
      entry.usedAt = this.store.nowIso();
      this.store.save();
      return linked.id;
    }
    const acc = this.s.accounts[entry.accountId];
    if (!acc || acc.state !== 'pending') throw badRequest('Invalid code');
    entry.usedAt = this.store.nowIso();
    this.beginLink(acc);
    return acc.id;
  }

  /** `POST /v2/accounts/initiate` (scope auth or reauth) → the `data` of the response. */
  initiate(body: unknown): Record<string, unknown> {
    if (!isObject(body)) throw badRequest('body must be a JSON object');
    const scope = body.scope;
    const meta = body.meta === undefined || body.meta === null ? {} : body.meta;
    if (!isObject(meta)) throw badRequest('meta must be an object');
    const ref = meta.ref === undefined || meta.ref === null ? null : meta.ref;
    if (ref !== null && typeof ref !== 'string') throw badRequest('meta.ref must be a string');
    const redirectUrl = body.redirect_url === undefined || body.redirect_url === null ? null : body.redirect_url;
    if (redirectUrl !== null && (typeof redirectUrl !== 'string' || !/^https?:\/\//.test(redirectUrl))) throw badRequest('redirect_url must be an http(s) URL');
    const now = this.store.nowIso();
    if (scope === 'auth') {
      const c = body.customer;
      let customer: SandboxCustomer;
      if (isObject(c) && typeof c.id === 'string') {
        const found = this.s.customers[c.id];
        if (!found) throw badRequest('Customer not found');
        customer = found;
      } else if (isObject(c) && typeof c.name === 'string' && c.name.trim() && typeof c.email === 'string' && c.email.includes('@')) {
        customer = this.customerFor({ name: c.name, email: c.email }, c.name, c.email);
      } else {
        throw badRequest('customer is required: {name, email} or {id}');
      }
      const session = this.newLinkSession({ scope: 'auth', customerId: customer.id, accountId: null, ref, redirectUrl, expiresAt: null });
      return { mono_url: this.linkUrl(session.id), customer: customer.id, meta: { ref }, scope: 'auth', redirect_url: redirectUrl, created_at: now };
    }
    if (scope === 'reauth') {
      const accountId = body.account;
      if (typeof accountId !== 'string' || !accountId) throw badRequest('account is required for scope reauth');
      const acc = this.apiAccount(accountId);
      const session = this.newLinkSession({ scope: 'reauth', customerId: acc.customerId, accountId: acc.id, ref, redirectUrl, expiresAt: null });
      return {
        mono_url: this.linkUrl(session.id),
        customer: acc.customerId,
        account: acc.id,
        meta: { ref },
        scope: 'reauth',
        institution: acc.institution.id,
        auth_method: acc.authMethod,
        redirect_url: redirectUrl,
        created_at: now,
      };
    }
    throw badRequest('scope must be "auth" or "reauth"');
  }

  private newLinkSession(s: Omit<LinkSession, 'id' | 'createdAt' | 'completedAt'>): LinkSession {
    const session: LinkSession = { ...s, id: this.store.token('', 16).toUpperCase(), createdAt: this.store.nowIso(), completedAt: null };
    this.s.links[session.id] = session;
    this.store.save();
    return session;
  }

  linkUrl(sessionId: string): string {
    return `${this.publicUrl()}/link/${sessionId}`;
  }

  linkSession(id: string): LinkSession {
    const session = this.s.links[id];
    if (!session) throw notFound('Link');
    if (session.expiresAt && Date.parse(session.expiresAt) <= this.store.nowMs()) throw new SandboxError(410, 'This link has expired', 'GONE');
    return session;
  }

  /** The customer a link session was initiated for (`customer` of the initiate call), if it is known. */
  sessionCustomer(session: LinkSession): SandboxCustomer | null {
    return (session.customerId ? this.s.customers[session.customerId] : undefined) ?? null;
  }

  /**
   * The person picked a persona and logged in on the hosted link page. The account is held in the name of the
   * initiate call's customer (a person links their own account), unless `nameMismatch` asks for the persona's invented
   * holder — someone else's account, which the engine reports as ACCOUNT_NAME_MISMATCH.
   */
  completeAuthLink(sessionId: string, personaName: string, opts: { partial?: boolean; nameMismatch?: boolean } = {}): SandboxAccount {
    const session = this.linkSession(sessionId);
    if (session.scope !== 'auth') throw badRequest('This link is for re-authorisation');
    if (session.completedAt) throw new SandboxError(409, 'This link has already been used', 'CONFLICT');
    if (!isPersonaName(personaName)) throw badRequest('Pick one of the listed profiles');
    const accountId = this.store.objectId();
    const customer = this.sessionCustomer(session) ?? undefined;
    const holder = !opts.nameMismatch && customer?.name?.trim() ? { fullName: customer.name, email: customer.email } : undefined;
    const persona = buildPersona(personaName, { asOf: this.todayInLagos(), seed: this.store.derivedSeed(personaName), accountId, ...(holder ? { holder } : {}) });
    const [acc] = this.addPersonaAccounts(persona, {
      mfa: false,
      dataStatus: opts.partial ? 'PARTIAL' : null,
      retrievedData: opts.partial ? ['identity', 'balance'] : null,
      ref: session.ref,
      persona: personaName,
      customer: customer ? { id: customer.id } : null,
    });
    session.completedAt = this.store.nowIso();
    session.accountId = acc.id;
    this.beginLink(acc);
    return acc;
  }

  /**
   * The person finished the re-authorisation widget (hosted link, reauthorise token, or the admin shortcut). With
   * `timings.reauthIssuesCode` (default) the widget also gets a new single-use code (10 minutes) that exchanges to the
   * same account id, as a first link's does; `code` is null otherwise.
   */
  completeReauth(accountId: string, sessionId?: string): { account: SandboxAccount; code: string | null } {
    const acc = this.linkedAccount(accountId);
    if (sessionId) {
      const session = this.linkSession(sessionId);
      if (session.completedAt) throw new SandboxError(409, 'This link has already been used', 'CONFLICT');
      session.completedAt = this.store.nowIso();
    }
    acc.reauthRequired = false;
    acc.reauthorisedAt = this.store.nowIso();
    const hasNewData = this.pull(acc);
    this.webhooks.emit([
      { event: 'mono.events.account_reauthorized', accountId: acc.id, data: { account: { _id: acc.id }, app: this.app, business: this.business } },
      this.accountUpdated(acc, { has_new_data: hasNewData }),
    ]);
    return { account: acc, code: this.timings.reauthIssuesCode ? this.issueCode(acc.id, 'reauth') : null };
  }

  /** Link done: PROCESSING now (`account_connected`), data available after a short delay (`account_updated`). */
  private beginLink(acc: SandboxAccount): void {
    const now = this.store.nowIso();
    acc.state = 'processing';
    acc.linkedAt = now;
    acc.updatedAt = now;
    for (const t of acc.transactions) t.visible = true;
    this.store.save();
    this.log.info({ accountId: acc.id }, 'sandbox account linked');
    this.webhooks.emit([
      {
        event: 'mono.events.account_connected',
        accountId: acc.id,
        data: {
          id: acc.id,
          customer: acc.customerId,
          meta: { data_status: 'PROCESSING', auth_method: acc.authMethod, ...(acc.ref ? { ref: acc.ref } : {}) },
          app: this.app,
          business: this.business,
        },
      },
    ]);
    const [min, max] = this.timings.linkProcessingMs;
    this.later(max <= min ? min : min + Math.floor(this.rng.next() * (max - min + 1)), () => this.finishProcessing(acc.id), acc.id);
  }

  private finishProcessing(accountId: string): void {
    const acc = this.s.accounts[accountId];
    if (!acc || acc.state !== 'processing') return;
    acc.state = 'linked';
    acc.updatedAt = this.store.nowIso();
    this.store.save();
    this.webhooks.emit([this.accountUpdated(acc, { has_new_data: true })]);
  }

  // ---------------------------------------------------------------- sync

  private linkedAccount(id: string): SandboxAccount {
    const acc = this.apiAccount(id);
    if (acc.state === 'processing') this.finishProcessing(acc.id);
    return acc;
  }

  private needsReauth(acc: SandboxAccount): boolean {
    if (acc.reauthRequired) return true;
    if (!acc.mfa) return false;
    return !acc.reauthorisedAt || this.store.nowMs() - Date.parse(acc.reauthorisedAt) >= this.timings.mfaSessionMs;
  }

  /** Makes pending bank activity visible; true when there was any. */
  private pull(acc: SandboxAccount): boolean {
    const pending = pendingTransactions(acc);
    for (const t of pending) t.visible = true;
    acc.updatedAt = this.store.nowIso();
    this.store.save();
    return pending.length > 0;
  }

  /**
   * `POST /accounts/{id}/sync`: one sync per account per `syncMinIntervalMs` (Mono: 2 minutes). Only a sync that ran
   * (`SYNC_SUCCESSFUL`) uses the window: a failed one (`REAUTHORISATION_REQUIRED`, `SYNC_ERROR`) pulled nothing from
   * the bank, so the caller may try again as soon as the cause is fixed (e.g. right after the reauth).
   */
  legacySync(id: string): LegacySyncResult {
    const acc = this.apiAccount(id);
    const nowMs = this.store.nowMs();
    if (acc.lastLegacySyncAt) {
      const elapsed = nowMs - Date.parse(acc.lastLegacySyncAt);
      if (elapsed < this.timings.syncMinIntervalMs) return { kind: 'rate_limited', retryInMs: this.timings.syncMinIntervalMs - elapsed };
    }
    if (acc.state === 'processing') {
      return { kind: 'result', body: { status: 'failed', hasNewData: false, code: 'SYNC_ERROR', message: 'Account data is still being processed' } };
    }
    if (acc.bankDown) {
      return { kind: 'result', body: { status: 'failed', hasNewData: false, code: 'SYNC_ERROR', message: 'The bank is not responding; try again later' } };
    }
    if (this.needsReauth(acc)) {
      acc.reauthRequired = true;
      this.store.save();
      return {
        kind: 'result',
        body: { status: 'failed', hasNewData: false, code: 'REAUTHORISATION_REQUIRED', message: 'This account requires re-authorisation' },
      };
    }
    acc.lastLegacySyncAt = this.store.nowIso();
    const hasNewData = this.pull(acc);
    this.webhooks.emit([this.accountUpdated(acc, { has_new_data: hasNewData })]);
    return { kind: 'result', body: { status: 'successful', hasNewData, code: 'SYNC_SUCCESSFUL', message: 'Sync was successful' } };
  }

  /**
   * `x-realtime: true` on balance/transactions: one job per account per window (Mono: 5 minutes); a repeat returns the
   * same job. A failed job does not hold the window: after the reauth it failed for, a new call starts a new job.
   */
  realtime(id: string, name: JobName): { job: RealtimeJob; created: boolean; reauthRequired: boolean } {
    const acc = this.linkedAccount(id);
    const nowMs = this.store.nowMs();
    const reauthRequired = this.needsReauth(acc);
    const recent = Object.values(this.s.jobs)
      .filter((j) => j.accountId === acc.id && j.status !== 'failed' && nowMs - Date.parse(j.createdAt) < this.timings.realtimeWindowMs)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    if (recent) return { job: recent, created: false, reauthRequired };
    const job: RealtimeJob = { id: this.store.objectId(), accountId: acc.id, name, status: 'processing', createdAt: this.store.nowIso(), finishedAt: null, hasNewData: null };
    this.s.jobs[job.id] = job;
    this.store.save();
    this.later(this.timings.jobDurationMs, () => this.finishJob(job.id), acc.id);
    return { job, created: true, reauthRequired };
  }

  job(accountId: string, jobId: string): RealtimeJob {
    const acc = this.apiAccount(accountId);
    const job = this.s.jobs[jobId];
    if (!job || job.accountId !== acc.id) throw notFound('Job');
    return job;
  }

  private finishJob(jobId: string): void {
    const job = this.s.jobs[jobId];
    const acc = job ? this.s.accounts[job.accountId] : undefined;
    if (!job || job.status !== 'processing') return;
    job.finishedAt = this.store.nowIso();
    if (!acc || acc.state !== 'linked') {
      job.status = 'failed';
      job.hasNewData = false;
      this.store.save();
      return;
    }
    const jobEvent = (status: RealtimeJob['status']): WebhookEventInput => ({
      event: 'mono.accounts.jobs.update',
      accountId: acc.id,
      data: { account: acc.id, business: this.business, app: this.app, id: job.id, name: job.name, status },
    });
    if (this.needsReauth(acc)) {
      acc.reauthRequired = true;
      job.status = 'failed';
      job.hasNewData = false;
      this.store.save();
      this.webhooks.emit([jobEvent('failed'), this.accountUpdated(acc, { sync_status: 'REAUTHORISATION_REQUIRED', job_id: job.id, has_new_data: false })]);
      return;
    }
    job.hasNewData = this.pull(acc);
    job.status = 'finished';
    this.store.save();
    this.webhooks.emit([jobEvent('finished'), this.accountUpdated(acc, { sync_status: 'SUCCESSFUL', job_id: job.id, has_new_data: job.hasNewData })]);
  }

  /** Legacy `POST /accounts/{id}/reauthorise`: a token (10 minutes) that opens the reauth page like a reauth link. */
  reauthoriseToken(id: string): string {
    const acc = this.apiAccount(id);
    const session = this.newLinkSession({
      scope: 'reauth',
      customerId: acc.customerId,
      accountId: acc.id,
      ref: acc.ref,
      redirectUrl: null,
      expiresAt: new Date(this.store.nowMs() + TEN_MINUTES).toISOString(),
    });
    return session.id;
  }

  unlink(id: string): void {
    const acc = this.apiAccount(id);
    acc.state = 'unlinked';
    acc.unlinkedAt = this.store.nowIso();
    acc.updatedAt = acc.unlinkedAt;
    this.store.save();
    this.webhooks.emit([{ event: 'mono.events.account_unlinked', accountId: acc.id, data: { account: { id: acc.id } } }]);
  }

  // ---------------------------------------------------------------- transactions query

  parseTransactionQuery(q: Record<string, unknown>): TransactionQuery {
    const str = (k: string): string | null => {
      const v = q[k];
      if (v === undefined) return null;
      if (typeof v !== 'string') throw badRequest(`${k} must be given once`);
      return v;
    };
    const date = (k: string): string | null => {
      const v = str(k);
      if (v === null || v === '') return null;
      const iso = parseMonoDate(v);
      if (!iso) throw badRequest(`Invalid ${k} date "${v}": use DD-MM-YYYY`);
      return iso;
    };
    const start = date('start');
    const end = date('end');
    if (start && end && start > end) throw badRequest('start must not be after end');
    const type = str('type');
    if (type !== null && type !== 'debit' && type !== 'credit') throw badRequest('type must be debit or credit');
    const paginate = str('paginate');
    if (paginate !== null && paginate !== 'true' && paginate !== 'false') throw badRequest('paginate must be true or false');
    const int = (k: string, fallback: number): number => {
      const v = str(k);
      if (v === null || v === '') return fallback;
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100000) throw badRequest(`${k} must be a positive integer`);
      return Number(v);
    };
    return { start, end, type, narration: str('narration') || null, paginate: paginate !== 'false', limit: int('limit', 20), page: int('page', 1) };
  }

  /** Visible transactions matching the filters, newest first, and the page asked for. */
  queryTransactions(acc: SandboxAccount, q: TransactionQuery): { rows: BankTransaction[]; total: number; page: number; pages: number } {
    const needle = q.narration?.toLowerCase() ?? null;
    const matching = visibleTransactions(acc).filter((t) => {
      const day = lagosDate(t.date);
      return (
        (!q.start || day >= q.start) &&
        (!q.end || day <= q.end) &&
        (!q.type || t.type === q.type) &&
        (!needle || t.narration.toLowerCase().includes(needle))
      );
    });
    if (!q.paginate) return { rows: matching, total: matching.length, page: 1, pages: 1 };
    const pages = Math.max(1, Math.ceil(matching.length / q.limit));
    return { rows: matching.slice((q.page - 1) * q.limit, q.page * q.limit), total: matching.length, page: q.page, pages };
  }

  /**
   * `GET …/statement[?period=lastNmonths]`: visible transactions of the last N months (N 1–12), newest first. Without
   * `period` (what Mono's SDK README and quickstart send) the sandbox answers the longest period, 12 months.
   * `requestedLength` / `availableLength` are in days: the period asked for, and the part of it the bank has history
   * for (from the oldest visible transaction, or 0 without any).
   */
  statement(acc: SandboxAccount, period: unknown): { rows: BankTransaction[]; requestedLength: number; availableLength: number; from: string; to: string } {
    let months = DEFAULT_STATEMENT_MONTHS;
    if (period !== undefined && period !== '') {
      const m = typeof period === 'string' ? /^last(\d{1,2})months$/.exec(period) : null;
      months = m ? Number(m[1]) : NaN;
      if (!(months >= 1 && months <= 12)) throw badRequest('period must be last1months … last12months');
    }
    const today = this.todayInLagos();
    const from = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1 - months, Number(today.slice(8, 10))));
    const fromDay = from.toISOString().slice(0, 10);
    const day = 86_400_000;
    const requestedLength = Math.round((Date.parse(`${today}T00:00:00Z`) - from.getTime()) / day);
    const visible = canShowTransactions(acc) ? visibleTransactions(acc) : [];
    const rows = visible.filter((t) => lagosDate(t.date) >= fromDay);
    const oldest = visible.length > 0 ? visible.reduce((min, t) => (lagosDate(t.date) < min ? lagosDate(t.date) : min), today) : null;
    const availableFrom = oldest === null ? null : oldest > fromDay ? oldest : fromDay;
    const availableLength = availableFrom === null ? 0 : Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${availableFrom}T00:00:00Z`)) / day);
    return { rows, requestedLength, availableLength, from: fromDay, to: today };
  }

  /**
   * `GET …/statement?output=pdf`: a statement job, `BUILDING` until the PDF of the period (same rows as the JSON
   * statement) is built after `jobDurationMs`, then `BUILT` with its download `path` (src/sandbox/statements.ts).
   */
  startPdfStatement(acc: SandboxAccount, period: unknown): StatementJob {
    const { rows, from, to } = this.statement(acc, period);
    const job: StatementJob = { id: statementJobId(), accountId: acc.id, status: 'BUILDING', path: null, createdAt: this.store.nowIso() };
    this.statementJobs.set(job.id, job);
    let resolve!: () => void;
    this.statementSettled.set(job.id, { promise: new Promise<void>((r) => (resolve = r)), resolve });
    this.later(
      this.timings.jobDurationMs,
      () => {
        renderStatementPdf(acc, rows, { from, to }).then(
          (pdf) => {
            this.statementPdfs.set(job.id, pdf);
            job.status = 'BUILT';
            job.path = `${this.publicUrl()}/statements/${job.id}.pdf`;
            resolve();
          },
          (err: unknown) => {
            job.status = 'FAILED';
            this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'sandbox statement PDF failed');
            resolve();
          },
        );
      },
      acc.id,
    );
    return job;
  }

  /** `GET …/statement/jobs/{jobId}`: the job of this account (404 for another account's or an unknown id). */
  statementJob(accountId: string, jobId: string): StatementJob {
    const job = this.statementJobs.get(jobId);
    if (!job || job.accountId !== accountId) throw notFound('Statement job');
    return job;
  }

  /**
   * v2 Income (§5.3), asynchronous like Mono's: the call answers at once (data null) and after `jobDurationMs` the
   * report computed from the ledger of the period (`period`: months, or all history) arrives as
   * `mono.events.account_income` and is kept for `…/income-records`.
   */
  requestIncome(acc: SandboxAccount, period: unknown): void {
    let months: number | null = null;
    if (period !== undefined && period !== '') {
      const m = typeof period === 'string' ? /^(?:last)?(\d{1,2})(?:months)?$/.exec(period) : null;
      months = m ? Number(m[1]) : NaN;
      if (!(months >= 1 && months <= 24)) throw badRequest('period must be a number of months from 1 to 24');
    }
    const rows = months === null ? (canShowTransactions(acc) ? visibleTransactions(acc) : []) : this.statement(acc, `last${Math.min(months, 12)}months`).rows;
    this.later(
      this.timings.jobDurationMs,
      () => {
        const report = v2IncomeReport(rows);
        const now = this.store.nowIso();
        const income = {
          account: acc.id,
          income_summary: report.income_summary,
          income_streams: report.income_streams,
          income_source_type: 'ACCOUNT',
          first_transaction_date: report.first_transaction_date,
          last_transaction_date: report.last_transaction_date,
          period: months === null ? `${report.number_of_months} months` : `${months} months`,
          number_of_income_streams: report.income_streams.length,
          aggregated_monthly_average: report.monthly_income,
          aggregated_monthly_average_regular: report.income_streams.filter((x) => x.frequency === 'MONTHLY').reduce((a, x) => a + x.monthly_average, 0),
          aggregated_monthly_average_irregular: report.income_streams.filter((x) => x.frequency !== 'MONTHLY').reduce((a, x) => a + x.monthly_average, 0),
          total_regular_income_amount: report.income_streams.filter((x) => x.frequency === 'MONTHLY').reduce((a, x) => a + x.monthly_average * x.number_of_months, 0),
          total_irregular_income_amount: report.income_streams.filter((x) => x.frequency !== 'MONTHLY').reduce((a, x) => a + x.monthly_average * x.number_of_months, 0),
        };
        this.incomeRecords.set(acc.id, [{ income, app: this.app, created_at: now, updated_at: now }, ...(this.incomeRecords.get(acc.id) ?? [])]);
        this.webhooks.emit([
          {
            event: 'mono.events.account_income',
            accountId: acc.id,
            data: {
              account: acc.id,
              app: this.app,
              business: this.business,
              account_name: acc.name,
              account_number: acc.accountNumber,
              income_summary: report.income_summary,
              income_streams: report.income_streams,
              monthly_income: report.monthly_income,
              annual_income: report.annual_income,
            },
          },
        ]);
      },
      acc.id,
    );
  }

  /** Past income reports of the account, newest first, 20 per page. */
  incomeRecordsPage(acc: SandboxAccount, page: number): { rows: Array<Record<string, unknown>>; total: number; pages: number } {
    const all = this.incomeRecords.get(acc.id) ?? [];
    const pages = Math.max(1, Math.ceil(all.length / 20));
    return { rows: all.slice((page - 1) * 20, page * 20), total: all.length, pages };
  }

  /** Resolves once the job is BUILT or FAILED. */
  statementSettledFor(jobId: string): Promise<void> {
    return this.statementSettled.get(jobId)?.promise ?? Promise.resolve();
  }

  /** The built PDF of a job, or null. */
  statementPdf(jobId: string): Buffer | null {
    return this.statementPdfs.get(jobId) ?? null;
  }

  // ---------------------------------------------------------------- helpers

  private accountUpdated(acc: SandboxAccount, extra: Record<string, unknown>): WebhookEventInput {
    return {
      event: 'mono.events.account_updated',
      accountId: acc.id,
      data: {
        account: webhookAccount(acc),
        meta: {
          data_status: acc.state === 'processing' ? 'PROCESSING' : acc.dataStatus,
          auth_method: acc.authMethod,
          ...(acc.ref ? { ref: acc.ref } : {}),
          retrieved_data: [...acc.retrievedData],
          ...extra,
        },
        app: this.app,
        business: this.business,
      },
    };
  }

  private customerFor(c: AccountOptionsInput['customer'], name: string, email: string | null): SandboxCustomer {
    if (c && 'id' in c) {
      const found = this.s.customers[c.id];
      if (found) return found;
      const created: SandboxCustomer = { id: c.id, name, email, createdAt: this.store.nowIso() };
      this.s.customers[c.id] = created;
      return created;
    }
    const wantEmail = (c?.email ?? email)?.toLowerCase() ?? null;
    if (wantEmail) {
      const match = Object.values(this.s.customers).find((x) => x.email?.toLowerCase() === wantEmail);
      if (match) return match;
    }
    const created: SandboxCustomer = { id: this.store.objectId(), name: c?.name ?? name, email: c?.email ?? email, createdAt: this.store.nowIso() };
    this.s.customers[created.id] = created;
    return created;
  }

  private defaultIdentity(name: string, bvn: string | null): SandboxIdentity {
    return {
      full_name: name,
      bvn: bvn && bvn.length === 11 ? bvn : null,
      email: null,
      phone: null,
      gender: null,
      dob: null,
      address_line1: null,
      state_of_origin: null,
      lga_of_origin: null,
      marital_status: null,
    };
  }

  private accountNumber(): string {
    return this.store.token('', 16).replace(/[a-f]/g, (c) => String(c.charCodeAt(0) % 10)).slice(-10);
  }

  /**
   * Legacy `GET /coverage` (§3.4): every institution an account of this sandbox was created at, each once, with the
   * auth methods seen there (`mobile_banking` when none linked yet).
   */
  coverage(): Array<{ id: string; name: string; bank_code: string; type: string; auth_methods: Array<{ type: string; name: string }> }> {
    const byId = new Map<string, { id: string; name: string; bank_code: string; type: string; auth_methods: Array<{ type: string; name: string }> }>();
    for (const a of Object.values(this.s.accounts)) {
      const entry = byId.get(a.institution.id) ?? { id: a.institution.id, name: a.institution.name, bank_code: a.institution.bankCode, type: a.institution.type, auth_methods: [] };
      if (!entry.auth_methods.some((m) => m.type === a.authMethod)) entry.auth_methods.push({ type: a.authMethod, name: a.authMethod.replace(/_/g, ' ') });
      byId.set(a.institution.id, entry);
    }
    return [...byId.values()].sort((x, y) => x.name.localeCompare(y.name));
  }

  private institutionId(bankCode: string): string {
    let h = 0x811c9dc5;
    for (const ch of `institution-${bankCode}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    return `${h.toString(16).padStart(8, '0')}${'0'.repeat(10)}${bankCode.replace(/\D/g, '').padStart(6, '0').slice(-6)}`;
  }

  todayInLagos(): string {
    return lagosDate(this.store.nowIso());
  }

  private later(ms: number, fn: () => void, accountId: string): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        fn();
      } catch (err) {
        this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'sandbox timer failed');
      } finally {
        this.settleTimer(accountId);
      }
    }, Math.max(0, ms));
    t.unref();
    this.timers.add(t);
    this.timersByAccount.set(accountId, (this.timersByAccount.get(accountId) ?? 0) + 1);
  }

  private settleTimer(accountId: string): void {
    const left = (this.timersByAccount.get(accountId) ?? 1) - 1;
    if (left > 0) {
      this.timersByAccount.set(accountId, left);
      return;
    }
    this.timersByAccount.delete(accountId);
    const waiters = this.idleWaiters.get(accountId) ?? [];
    this.idleWaiters.delete(accountId);
    for (const w of waiters) w();
  }

  /**
   * Resolves once nothing is scheduled for the account: no link still processing, no job still running (webhooks it
   * emitted are then queued in the dispatcher). For in-process tests; no polling.
   */
  idle(accountId: string): Promise<void> {
    if (!this.timersByAccount.has(accountId)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.idleWaiters.get(accountId) ?? [];
      list.push(resolve);
      this.idleWaiters.set(accountId, list);
    });
  }

  /** Whether anything is scheduled for the account (see idle()). */
  busy(accountId: string): boolean {
    return this.timersByAccount.has(accountId);
  }

  /** After a restart: links and jobs whose timers were lost complete now. */
  resumeAfterRestart(): void {
    for (const acc of Object.values(this.s.accounts)) if (acc.state === 'processing') this.later(0, () => this.finishProcessing(acc.id), acc.id);
    for (const job of Object.values(this.s.jobs)) if (job.status === 'processing') this.later(0, () => this.finishJob(job.id), job.accountId);
  }

  close(): void {
    if (this.autoSyncTimer) clearInterval(this.autoSyncTimer);
    this.autoSyncTimer = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.timersByAccount.clear();
  }
}

function defaultRetrieved(status: SettledDataStatus): RetrievedPart[] {
  switch (status) {
    case 'AVAILABLE':
      return [...ALL_PARTS];
    case 'PARTIAL':
      return ['identity', 'balance'];
    case 'UNAVAILABLE':
    case 'FAILED':
      return [];
  }
}
