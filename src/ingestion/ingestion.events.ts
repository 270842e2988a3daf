import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { TrailingCoalescer } from '../common/concurrency/trailing-coalescer.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AccountEventBus, type AccountEvent } from '../common/events/account-events.js';
import { ANY_PURPOSE, CONSENT_GATE, purposesForTrigger, type ConsentGate } from '../mono/consent-gate.js';
import { SyncService } from '../mono/sync.service.js';
import { IngestionService, type IngestionResult } from './ingestion.service.js';

/** Does an `account.data_available` event carry transactions? AVAILABLE, or PARTIAL with transactions retrieved. */
export function carriesTransactions(event: { dataStatus: string; retrievedData: string[] }): boolean {
  const status = event.dataStatus.toUpperCase();
  if (status === 'AVAILABLE') return true;
  return status === 'PARTIAL' && event.retrievedData.some((d) => d.toLowerCase() === 'transactions');
}

/**
 * Ingests an account when Mono says its data is available, then announces `account.ingested`. Idempotent: the
 * inbox may deliver an event twice, and re-ingesting the same data changes nothing.
 *
 * Consent (docs/privacy.md): fetching transactions is a Mono call, so it needs a consent valid now — for the purpose
 * of the sync run the event answers (`scheduled` → monitoring), any consent for webhook-driven data. Without one the
 * webhook stays stored and processed, and nothing is fetched.
 *
 * Coalesced per account (issue 20: 2,064 `account_updated` webhooks for 20 accounts had started 1,916 full
 * ingestions): events that arrive while the account's ingestion runs share one trailing ingestion, started when the
 * current one ends, so each event is answered by a fetch that began after it arrived and a burst costs two runs per
 * account, not one per event. And an event whose webhook reached the engine before an ingestion of the account that
 * has since succeeded (a backlog: the inbox works events in parallel lanes and on several instances) fetches nothing:
 * that ingestion began after the webhook, so it holds what the webhook announced. Each event still publishes its own
 * `account.ingested` (with its own sync run; `changed: false` when an earlier ingestion already covered it).
 */
@Injectable()
export class IngestionEventsHandler implements OnModuleInit {
  private readonly logger = new Logger(IngestionEventsHandler.name);
  private readonly perAccount = new TrailingCoalescer<string, IngestionResult>();

  constructor(
    private readonly bus: AccountEventBus,
    private readonly ingestion: IngestionService,
    @Inject(CONSENT_GATE) private readonly consents: ConsentGate,
    private readonly clock: Clock,
    @Inject(SyncService) private readonly sync: Pick<SyncService, 'getSyncRun'>,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('ingestion', (event) => this.handle(event));
  }

  async handle(event: AccountEvent): Promise<void> {
    if (event.type !== 'account.data_available' || !carriesTransactions(event)) return;
    const run = event.syncRunId ? await this.sync.getSyncRun(event.syncRunId) : null;
    const purposes = run ? purposesForTrigger(run.trigger) : ANY_PURPOSE;
    const consent = await this.consents.check(event.accountId, purposes, this.clock.now());
    if (!consent.ok) {
      this.logger.log({ accountId: event.accountId, syncRunId: event.syncRunId, reason: consent.reason }, 'data_available without a valid consent: nothing fetched');
      return;
    }
    if (event.announcedAt) {
      const covering = await this.ingestion.ingestedSince(event.accountId, event.announcedAt);
      if (covering) {
        this.logger.debug({ accountId: event.accountId, syncRunId: event.syncRunId, ingestionRunId: covering }, 'data_available already covered by a later ingestion');
        await this.bus.publish({ type: 'account.ingested', accountId: event.accountId, ingestionRunId: covering, syncRunId: event.syncRunId, changed: false });
        return;
      }
    }
    try {
      const result = await this.perAccount.run(event.accountId, () =>
        this.ingestion.ingestAccount(event.accountId, {
          trigger: event.syncRunId ? 'sync' : 'webhook',
          syncRunId: event.syncRunId,
        }),
      );
      await this.bus.publish({
        type: 'account.ingested',
        accountId: event.accountId,
        ingestionRunId: result.ingestionRunId,
        syncRunId: event.syncRunId,
        changed: result.inserted + result.modified + result.removed + result.recategorised > 0,
      });
    } catch (err) {
      // An unlinked or deleted account has nothing to ingest; retrying the event would not change that.
      if (err instanceof DomainError && (err.code === 'ACCOUNT_UNLINKED' || err.code === 'NOT_FOUND')) {
        this.logger.log({ accountId: event.accountId, code: err.code }, 'data_available for an account that cannot be ingested: ignored');
        return;
      }
      throw err;
    }
  }
}
