import { Injectable } from '@nestjs/common';
import { isConsentRequired } from '../../mono/consent-gate.js';
import { SyncService } from '../../mono/sync.service.js';
import { AccountSyncer, ReviewSkipped, type SyncOutcome } from '../ports.js';

/** Scheduled syncs through SyncService (persisted sync runs, coalescing, SYNC_MIN_INTERVAL_SECONDS guard). */
@Injectable()
export class SyncServiceSyncer extends AccountSyncer {
  constructor(private readonly sync: SyncService) {
    super();
  }

  async requestSync(accountId: string): Promise<{ syncRunId: string | null; outcome: SyncOutcome }> {
    try {
      return await this.sync.requestSync(accountId, 'scheduled');
    } catch (err) {
      if (isConsentRequired(err)) throw new ReviewSkipped('consent_required', err.message);
      throw err;
    }
  }
}
