import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { AccountCoverage, DataQualityFinding } from '../common/domain/account.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { CONSENT_GATE, ConsentRequiredError, type ConsentGate, type ConsentPurpose } from '../mono/consent-gate.js';
import { BANK_DATA_SOURCE, type BankDataSource } from './bank-data-source.js';
import { categoriseSlices } from './categorise-in-windows.js';
import type { IngestionTrigger } from './entities/ingestion-run.entity.js';
import { transactionFingerprint } from './fingerprint.js';
import { ingestionWindow, type IngestionWindow } from './ingestion-window.js';
import {
  INGESTION_HEARTBEAT_SECONDS,
  IngestionRepository,
  type AccountForIngestion,
  type CategoryChange,
  type LedgerRow,
  type StagedTransaction,
} from './ingestion.repository.js';
import {
  addDays,
  checkBalanceContinuity,
  computeCoverage,
  lagosDate,
  loadDictionaries,
  type BorrowerAccountTransactions,
  type Dictionaries,
  type ParsedMonoAccount,
  type ParsedMonoTransaction,
} from './normalise/index.js';

export interface IngestOptions {
  trigger: IngestionTrigger;
  /** The sync run this ingestion completes, when it answers one. */
  syncRunId?: string | null;
  /**
   * Refuse (409 CONSENT_REQUIRED, nothing fetched) unless a consent for one of these purposes covers the account now:
   * for doors that did not check already (the admin route). Event-driven ingestion checks before it calls.
   */
  consentPurposes?: readonly ConsentPurpose[];
}

export interface IngestionResult {
  ingestionRunId: string;
  accountId: string;
  windowStart: string;
  windowEnd: string;
  /** Distinct provider rows returned for the window. */
  fetched: number;
  inserted: number;
  /** Rows whose content changed, came back after a removal, or were re-keyed (unstable provider ids). */
  modified: number;
  removed: number;
  unchanged: number;
  restored: number;
  rekeyed: number;
  /** Stored rows (this or a linked account) whose rule-based category changed. */
  recategorised: number;
  /** False when the provider had no transactions to give (PROCESSING, PARTIAL without transactions…). */
  transactionsRetrieved: boolean;
  /** Current ledger findings of the account (balance continuity, missing balances, EMTL, duplicates). */
  findings: DataQualityFinding[];
  coverage: AccountCoverage;
}

/** Days before the fetch window given to the categoriser as pairing context (reversals look back 7, pairs ±2). */
const CONTEXT_DAYS = 9;

/** Triggers whose data comes from a sync Mono just completed: they refresh `last_synced_at`. */
const SYNC_TRIGGERS: ReadonlySet<IngestionTrigger> = new Set(['sync', 'webhook', 'connect']);

/** Did the provider retrieve transactions? Mono returns empty payloads otherwise (API reference §9.1). */
export function transactionsRetrieved(details: Pick<ParsedMonoAccount, 'dataStatus' | 'retrievedData'>): boolean {
  switch (details.dataStatus) {
    case null:
    case 'AVAILABLE':
      return true;
    case 'PARTIAL':
      return details.retrievedData.includes('transactions');
    default:
      return false;
  }
}

/**
 * fetch → normalise → categorise → reconcile → store, for one account (docs/ingestion.md).
 *
 * The provider is called before any database transaction is opened; everything written afterwards happens in one
 * transaction under a per-account advisory lock, so a failure leaves nothing half-written and a retry is safe.
 */
@Injectable()
export class IngestionService {
  private readonly logger = new Logger(IngestionService.name);
  private dictionaries: Dictionaries | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(BANK_DATA_SOURCE) private readonly source: BankDataSource,
    private readonly repo: IngestionRepository,
    @Optional() @Inject(CONSENT_GATE) private readonly consents?: ConsentGate,
  ) {}

  /**
   * A succeeded ingestion of the account that started strictly after `announcedAt` (when a webhook announcing new data
   * reached the engine), or null. Strictly: with a frozen or coarse clock an ingestion stamped with the same instant
   * may have started before the webhook, so it never counts.
   */
  async ingestedSince(accountId: string, announcedAt: Date): Promise<string | null> {
    return this.withClient((c) => this.repo.succeededRunStartedAfter(c, accountId, announcedAt));
  }

  async ingestAccount(accountId: string, opts: IngestOptions): Promise<IngestionResult> {
    const account = await this.withClient((c) => this.repo.findAccount(c, accountId));
    if (!account) throw new NotFoundError('Account', accountId);
    if (account.unlinkedAt) throw new DomainError('ACCOUNT_UNLINKED', `Account ${accountId} is unlinked`, { accountId });
    if (opts.consentPurposes) {
      if (!this.consents) throw new Error('ingestion was asked to check consent but no consent gate is bound');
      const consent = await this.consents.check(accountId, opts.consentPurposes, this.clock.now());
      if (!consent.ok) throw new ConsentRequiredError(accountId, opts.consentPurposes, consent);
    }
    const startedAt = this.clock.now();
    const window = ingestionWindow({
      today: lagosDate(startedAt.toISOString()),
      lastTransactionDate: account.lastTransactionDate,
      overlapDays: this.config.ingestion.overlapDays,
      historyMonths: this.config.ingestion.historyMonths,
    });
    const runId = await this.withClient((c) =>
      this.repo.startRun(c, {
        accountId,
        trigger: opts.trigger,
        syncRunId: opts.syncRunId ?? null,
        windowStart: window.windowStart,
        windowEnd: window.windowEnd,
        now: startedAt,
      }),
    );
    // While the run fetches and stores, its heartbeat tells other instances it is alive (ingestion-runs-sweep closes
    // runs whose heartbeat lapsed: a killed process's).
    const heartbeat = setInterval(() => {
      void this.withClient((c) => this.repo.beat(c, runId, this.clock.now())).catch(() => undefined);
    }, INGESTION_HEARTBEAT_SECONDS * 1000);
    heartbeat.unref();
    try {
      const fetched = await this.fetch(account, window);
      const result = await this.inTransaction((client) => this.store(client, account, window, fetched, runId, opts, startedAt));
      this.logger.log(
        {
          accountId,
          ingestionRunId: runId,
          trigger: opts.trigger,
          fetched: result.fetched,
          inserted: result.inserted,
          modified: result.modified,
          removed: result.removed,
        },
        'account ingested',
      );
      return result;
    } catch (err) {
      const error = describeError(err);
      this.logger.warn({ accountId, ingestionRunId: runId, error }, 'ingestion failed');
      await this.withClient((c) => this.repo.failRun(c, runId, error, this.clock.now())).catch(() => undefined);
      throw err;
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Closes the runs dead processes left `running` (heartbeat lapsed), on every account. */
  closeAbandonedRuns(): Promise<number> {
    return this.withClient((c) => this.repo.closeAbandoned(c, this.clock.now()));
  }

  private async fetch(account: AccountForIngestion, window: IngestionWindow): Promise<Fetched> {
    const details = await this.source.getAccount(account.monoAccountId);
    const balance = await this.source.getBalance(account.monoAccountId);
    let identityName: string | null = null;
    if (this.source.getIdentity) {
      try {
        identityName = (await this.source.getIdentity(account.monoAccountId))?.fullName ?? null;
      } catch (err) {
        // Identity is optional (many banks do not give it); never let it block ingestion. Never log its content.
        this.logger.debug({ accountId: account.id, error: err instanceof Error ? err.name : 'unknown' }, 'identity unavailable');
      }
    }
    const retrieved = transactionsRetrieved(details);
    const transactions = retrieved
      ? (await this.source.getTransactions(account.monoAccountId, { start: window.fetchStart, end: window.windowEnd })).transactions
      : [];
    const seen = new Set<string>();
    const unique = transactions.filter((t) => !seen.has(t.providerId) && (seen.add(t.providerId), true));
    return {
      details,
      balanceMinor: balance.balanceMinor,
      balanceCurrency: balance.currency,
      identityName,
      retrieved,
      transactions: unique,
    };
  }

  private async store(
    client: PoolClient,
    account: AccountForIngestion,
    window: IngestionWindow,
    fetched: Fetched,
    runId: string,
    opts: IngestOptions,
    fetchStartedAt: Date,
  ): Promise<IngestionResult> {
    const accountId = account.id;
    await this.repo.lockAccount(client, accountId);
    const now = this.clock.now();
    const holderName = fetched.details.holderName ?? fetched.identityName ?? account.accountName ?? account.identityFullName;
    const currency = fetched.details.currency ?? account.currency;

    let counts = { inserted: 0, updated: 0, modified: 0, restored: 0, rekeyed: 0, removed: 0, recategorised: 0 };
    let ledger: LedgerRow[] | null = null;
    const firstRows = fetched.retrieved && !(await this.repo.hasStoredTransactions(client, accountId));
    if (firstRows) {
      // Nothing stored yet: a pure insert, COPYed straight into bank_transactions; the ledger is what we just wrote.
      const run = await this.categorise(client, account, window, fetched, holderName, currency, now);
      // Categorisation of the next slice overlaps the COPY of this one.
      await this.repo.copyNewTransactions(client, accountId, run.batches(), now);
      const { staged, changes } = run;
      const recategorised = await this.repo.applyCategoryChanges(client, changes, { runId, now });
      counts = { ...counts, inserted: staged.length, recategorised };
      ledger = staged
        .map((r) => ({
          id: r.id,
          providerId: r.providerTxnId,
          fingerprint: r.fingerprint,
          postedAt: r.postedAt,
          date: r.bookingDate,
          direction: r.direction,
          amountMinor: r.amountMinor,
          balanceMinor: r.balanceMinor,
          narration: r.narration,
        }))
        .sort(newestFirst);
    } else if (fetched.retrieved) {
      const categorised = await this.categorise(client, account, window, fetched, holderName, currency, now);
      await this.repo.stageFetched(client, categorised.batches());
      const { staged, changes } = categorised;
      const run = { accountId, runId, now };
      const rekeyed = await this.repo.rekeyByFingerprint(client, { ...run, from: window.windowStart, to: window.windowEnd });
      const changed = await this.repo.recordChangedRevisions(client, run);
      const upserted = await this.repo.upsertStaged(client, run);
      let recategorised = await this.repo.applyStagedCategories(client, run);
      recategorised += await this.repo.applyCategoryChanges(client, changes, run);
      // An empty answer for a window that holds stored rows is far more likely a provider hiccup than every row
      // having been withdrawn: keep the rows (the next ingestion re-checks the window).
      const suspiciousEmpty =
        staged.length === 0 && (await this.repo.countActiveBetween(client, accountId, window.windowStart, window.windowEnd)) > 0;
      if (suspiciousEmpty)
        this.logger.warn({ accountId, ingestionRunId: runId }, 'provider returned no transactions; removal detection skipped');
      const removed = suspiciousEmpty
        ? 0
        : await this.repo.markMissingRemoved(client, { ...run, from: window.windowStart, to: window.windowEnd });
      counts = { ...upserted, ...changed, rekeyed, removed, recategorised };
    }

    const balanceMinor = fetched.balanceMinor ?? fetched.details.balanceMinor;
    if (balanceMinor !== null) {
      await this.repo.insertBalanceSnapshot(client, {
        accountId,
        balanceMinor,
        currency: fetched.balanceMinor !== null ? fetched.balanceCurrency : currency,
        source: fetched.balanceMinor !== null ? 'balance' : 'account',
        runId,
        now,
      });
    }

    ledger ??= await this.repo.findActiveLedger(client, accountId);
    const findings = [...checkBalanceContinuity(accountId, ledger), ...duplicateRows(accountId, ledger)];
    await this.repo.replaceLedgerFindings(client, { accountId, findings, runId, now });
    const syncedAt = SYNC_TRIGGERS.has(opts.trigger) ? now : null;
    const lastSync = latest(syncedAt, account.lastSyncedAt);
    const coverage = computeCoverage(accountId, ledger, now.toISOString(), lastSync ? lastSync.toISOString() : null);
    await this.repo.updateAccountAfterIngestion(client, {
      accountId,
      coverage,
      lastTransactionDate: ledger.reduce<string | null>((max, r) => (max === null || r.date > max ? r.date : max), null),
      now,
      dataAsOf: fetchStartedAt,
      syncedAt,
      accountName: fetched.details.holderName,
      identityFullName: fetched.identityName,
      balanceMinor,
      currency: fetched.details.currency,
      institution: fetched.details.institution,
      accountType: fetched.details.accountType,
    });

    const fetchedCount = fetched.transactions.length;
    const modified = counts.modified + counts.restored + counts.rekeyed;
    const unchanged = fetchedCount - counts.inserted - counts.updated - counts.rekeyed;
    const stats = { fetched: fetchedCount, inserted: counts.inserted, modified, removed: counts.removed, unchanged };
    await this.repo.completeRun(client, runId, stats, now);
    return {
      ingestionRunId: runId,
      accountId,
      windowStart: window.windowStart,
      windowEnd: window.windowEnd,
      ...stats,
      restored: counts.restored,
      rekeyed: counts.rekeyed,
      recategorised: counts.recategorised,
      transactionsRetrieved: fetched.retrieved,
      findings,
      coverage,
    };
  }

  /**
   * Categorises the fetched rows together with the borrower's stored rows around them: this account's rows just
   * before the window and the linked accounts' rows from there on (self-transfer pairs across accounts, reversals
   * across the window edge). `batches()` yields the rows to store slice by slice (so the caller can stream them to
   * Postgres while the next slice is categorised) and fills `staged` and `changes` (category changes of linked
   * accounts' stored rows) as it goes.
   */
  private async categorise(
    client: PoolClient,
    account: AccountForIngestion,
    window: IngestionWindow,
    fetched: Fetched,
    holderName: string | null,
    currency: string,
    now: Date,
  ): Promise<CategorisationRun> {
    const fetchedById = new Map(fetched.transactions.map((t) => [t.providerId, t]));
    const stored = await this.repo.findBorrowerRowsSince(client, account.borrowerId, addDays(window.fetchStart, -CONTEXT_DAYS));
    const holderNames = await this.repo.findBorrowerHolderNames(client, account.borrowerId);
    const groups = new Map<string, BorrowerAccountTransactions>([
      [
        account.id,
        {
          accountId: account.id,
          holderName,
          accountNumber: fetched.details.accountNumber ?? holderNames.get(account.id)?.accountNumber ?? null,
          transactions: [...fetched.transactions],
        },
      ],
    ]);
    // Every linked account takes part (for its name and number) even when none of its rows falls in the context window.
    for (const [id, known] of holderNames) {
      if (!groups.has(id)) groups.set(id, { accountId: id, holderName: known.name, accountNumber: known.accountNumber, transactions: [] });
    }
    const storedByKey = new Map<string, (typeof stored)[number]>();
    for (const row of stored) {
      // This account's stored rows inside the fetch range are replaced by what the provider returns now.
      if (row.accountId === account.id && (row.bookingDate >= window.fetchStart || fetchedById.has(row.providerTxnId))) continue;
      let group = groups.get(row.accountId);
      if (!group) {
        const known = holderNames.get(row.accountId);
        group = { accountId: row.accountId, holderName: known?.name ?? null, accountNumber: known?.accountNumber ?? null, transactions: [] };
        groups.set(row.accountId, group);
      }
      group.transactions.push({
        providerId: row.providerTxnId,
        postedAt: row.postedAt,
        direction: row.direction,
        amountMinor: row.amountMinor,
        balanceMinor: row.balanceMinor,
        narration: row.narration,
        providerCategory: row.providerCategory,
        currency: row.currency,
      });
      storedByKey.set(`${row.accountId}\u0000${row.providerTxnId}`, row);
    }
    const dictionaries = this.getDictionaries();
    const asOf = now.toISOString();
    const result: CategorisationRun = {
      staged: [],
      changes: [],
      batches: async function* () {
        for await (const slice of categoriseSlices([...groups.values()], { dictionaries, asOf })) {
          const batch: StagedTransaction[] = [];
          for (const t of slice) {
            const raw = t.accountId === account.id ? fetchedById.get(t.providerId) : undefined;
            if (raw) {
              batch.push({
                id: randomUUID(),
                providerTxnId: t.providerId,
                fingerprint: transactionFingerprint(raw),
                postedAt: t.postedAt,
                bookingDate: t.date,
                direction: t.direction,
                amountMinor: t.amountMinor,
                balanceMinor: t.balanceMinor,
                currency: raw.currency ?? currency,
                narration: t.narration,
                providerCategory: t.providerCategory,
                category: t.category,
                categoryRule: t.categoryRule,
                rail: t.rail,
                counterparty: t.counterparty,
                memo: t.memo,
                raw: JSON.stringify(raw),
              });
              continue;
            }
            const row = storedByKey.get(`${t.accountId}\u0000${t.providerId}`);
            // Only linked accounts' rows inside the window are re-labelled; rows before it were context (their own
            // neighbours are not all loaded) and keep the category they were given.
            if (
              row &&
              row.accountId !== account.id &&
              row.bookingDate >= window.fetchStart &&
              row.categorySource === 'rule' &&
              (row.category !== t.category || row.categoryRule !== t.categoryRule)
            ) {
              result.changes.push({ id: row.id, category: t.category, categoryRule: t.categoryRule });
            }
          }
          for (const r of batch) result.staged.push(r);
          yield batch;
        }
      },
    };
    return result;
  }

  private getDictionaries(): Dictionaries {
    return (this.dictionaries ??= loadDictionaries());
  }

  private async withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await fn((await runner.connect()) as PoolClient);
    } finally {
      await runner.release();
    }
  }

  private async inTransaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      await runner.startTransaction();
      try {
        const result = await fn(client);
        await runner.commitTransaction();
        return result;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await runner.release();
    }
  }
}

interface CategorisationRun {
  /** Every row of this account stored by the run; complete once `batches()` is drained. */
  staged: StagedTransaction[];
  changes: CategoryChange[];
  batches(): AsyncGenerator<StagedTransaction[]>;
}

interface Fetched {
  details: ParsedMonoAccount;
  balanceMinor: number | null;
  balanceCurrency: string;
  identityName: string | null;
  retrieved: boolean;
  transactions: ParsedMonoTransaction[];
}

/** Newest first, ties by provider id descending in byte order: the order findActiveLedger reads back. */
function newestFirst(a: LedgerRow, b: LedgerRow): number {
  if (a.postedAt !== b.postedAt) return a.postedAt < b.postedAt ? 1 : -1;
  return a.providerId < b.providerId ? 1 : a.providerId > b.providerId ? -1 : 0;
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** Same content (instant, direction, amount, balance, narration) stored under different provider ids. */
function duplicateRows(accountId: string, ledger: readonly LedgerRow[]): DataQualityFinding[] {
  const seen = new Map<string, LedgerRow>();
  const findings: DataQualityFinding[] = [];
  for (let i = ledger.length - 1; i >= 0; i--) {
    const t = ledger[i];
    const first = seen.get(t.fingerprint);
    if (first === undefined) seen.set(t.fingerprint, t);
    else findings.push({ accountId, kind: 'duplicate_row', transactionId: t.id, date: t.date, details: { duplicateOf: first.id } });
  }
  return findings;
}

/** What a failed run records: the error's class, code and message (provider and domain messages carry no PII). */
function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, ...(typeof code === 'string' ? { code } : {}), message: err.message.slice(0, 500) };
  }
  return { name: 'unknown', message: String(err).slice(0, 500) };
}
