import { Injectable, Logger } from '@nestjs/common';

/**
 * In-process, awaited events about linked accounts. The Mono webhook inbox processor publishes them and marks
 * an inbox row processed only after every handler succeeded, so a crash or a failing handler means the event is
 * retried from the inbox: nothing is lost. Handlers must therefore be idempotent.
 *
 * Direction of dependencies stays one-way: mono publishes; ingestion, applications and underwriting subscribe.
 */
export type AccountEvent =
  | { type: 'account.linked'; accountId: string; borrowerId: string }
  | {
      type: 'account.data_available';
      accountId: string;
      dataStatus: string;
      retrievedData: string[];
      /** The sync run this update completes, when it answers one. */
      syncRunId: string | null;
      hasNewData: boolean | null;
      /**
       * When the webhook announcing the data reached the engine (null when the event does not come from one): an
       * ingestion of the account that started after that moment has already fetched what it announced.
       */
      announcedAt?: Date | null;
    }
  | { type: 'account.reauth_required'; accountId: string; syncRunId: string | null }
  | { type: 'account.reauthorized'; accountId: string }
  | { type: 'account.sync_failed'; accountId: string; syncRunId: string | null; reason: string }
  | { type: 'account.unlinked'; accountId: string }
  /** Published by ingestion after new data was stored for an account. */
  | { type: 'account.ingested'; accountId: string; ingestionRunId: string; syncRunId: string | null; changed: boolean };

export type AccountEventType = AccountEvent['type'];
export type AccountEventHandler = (event: AccountEvent) => Promise<void>;

@Injectable()
export class AccountEventBus {
  private readonly logger = new Logger(AccountEventBus.name);
  private readonly handlers: Array<{ name: string; handler: AccountEventHandler }> = [];

  /** Register a handler (call from a module's onModuleInit). */
  subscribe(name: string, handler: AccountEventHandler): void {
    this.handlers.push({ name, handler });
  }

  /** Runs every handler in registration order; the first failure is rethrown (the caller retries the whole event). */
  async publish(event: AccountEvent): Promise<void> {
    for (const { name, handler } of this.handlers) {
      try {
        await handler(event);
      } catch (err) {
        this.logger.warn({ err, handler: name, event: event.type, accountId: event.accountId }, 'account event handler failed');
        throw err;
      }
    }
  }
}
