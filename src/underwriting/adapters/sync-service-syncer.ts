import { Injectable } from '@nestjs/common';
import { SyncService } from '../../mono/sync.service.js';
import { AccountSyncer, type SyncOutcome } from '../ports.js';

/** Scheduled syncs through SyncService (persisted sync runs, coalescing, SYNC_MIN_INTERVAL_SECONDS guard). */
@Injectable()
export class SyncServiceSyncer extends AccountSyncer {
  constructor(private readonly sync: SyncService) {
    super();
  }

  async requestSync(accountId: string): Promise<{ syncRunId: string | null; outcome: SyncOutcome }> {
    return this.sync.requestSync(accountId, 'scheduled');
  }
}
