import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { AccountEventBus, type AccountEvent } from '../common/events/account-events.js';
import { IngestionService } from './ingestion.service.js';

/** Does an `account.data_available` event carry transactions? AVAILABLE, or PARTIAL with transactions retrieved. */
export function carriesTransactions(event: { dataStatus: string; retrievedData: string[] }): boolean {
  const status = event.dataStatus.toUpperCase();
  if (status === 'AVAILABLE') return true;
  return status === 'PARTIAL' && event.retrievedData.some((d) => d.toLowerCase() === 'transactions');
}

/**
 * Ingests an account when Mono says its data is available, then announces `account.ingested`. Idempotent: the
 * inbox may deliver an event twice, and re-ingesting the same data changes nothing.
 */
@Injectable()
export class IngestionEventsHandler implements OnModuleInit {
  private readonly logger = new Logger(IngestionEventsHandler.name);

  constructor(
    private readonly bus: AccountEventBus,
    private readonly ingestion: IngestionService,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('ingestion', (event) => this.handle(event));
  }

  async handle(event: AccountEvent): Promise<void> {
    if (event.type !== 'account.data_available' || !carriesTransactions(event)) return;
    try {
      const result = await this.ingestion.ingestAccount(event.accountId, {
        trigger: event.syncRunId ? 'sync' : 'webhook',
        syncRunId: event.syncRunId,
      });
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
