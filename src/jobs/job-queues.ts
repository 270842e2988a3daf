import type { Queue } from 'pg-boss';
import type { AppConfig } from '../config/app-config.js';

/** Every background queue, its payload and its pg-boss policy (retries, backoff, dead letter). */
export interface JobPayloads {
  /** Deliver one outbox_events row to EVENTS_WEBHOOK_URL. */
  'outbox-delivery': { eventId: string };
  /** Process one stored Mono webhook (webhook_events row; the job id is the row id). */
  'webhook-inbox': { eventId: string };
  /** Advance one loan application (singleton key = its id). */
  'application-step': { applicationId: string };
  /** Time out sync runs Mono never answered (every minute, on scheduling instances). */
  'sync-runs-sweep': Record<string, never>;
  /** Per-minute: ingestion runs whose heartbeat lapsed (a killed process's) are closed as abandoned. */
  'ingestion-runs-sweep': Record<string, never>;
  /** Mono's income cross-check of one decision (MONO_INCOME_CROSSCHECK on), sent in the decision's transaction. */
  'income-crosscheck': { applicationId: string; borrowerId: string; decisionId: string };
  /** Every 10 minutes (MONO_INCOME_CROSSCHECK on): income cross-checks whose report never arrived, from Mono's records. */
  'income-checks-sweep': Record<string, never>;
  /** Create (or resume) a re-underwriting cycle; sent by the pg-boss cron (REUNDERWRITE_CRON, Africa/Lagos). */
  'reunderwrite-cycle': { trigger: 'scheduled' };
  /** Review step 1 of one review_items row: spend the cycle's Mono budget and request the borrower's syncs. */
  'reunderwrite-sync': { itemId: string };
  /** Review step 2: score and apply the limit (one short transaction); `final` = the ingestion wait is over. */
  'reunderwrite-score': { itemId: string; final: boolean };
  /** Consent lifecycle pass (CONSENT_LIFECYCLE_CRON): `consent.expiring` notices, expiries, unlink retries. */
  'consent-lifecycle': Record<string, never>;
  /** One batch of the retention purge (RETENTION_CRON; a full batch enqueues the next). */
  'retention-sweep': Record<string, never>;
  /** Dead letter of both review steps: the item is marked failed (its retries are exhausted). */
  'reunderwrite-review-dead': { itemId: string; final?: boolean };
  /** Replay the stored decisions under a candidate policy (backtests row; singleton key = its id). */
  'backtest-run': { backtestId: string };
}
export type JobName = keyof JobPayloads;

/** Delivery attempts before an outbound event is marked failed (about a day with the backoff below). */
export const OUTBOX_MAX_ATTEMPTS = 12;

/** Attempts of each review step before its item is marked failed. */
export const REVIEW_MAX_ATTEMPTS = 3;

export type QueuePolicy = Omit<Queue, 'name'>;

/**
 * Both review steps: a few quick retries, a 10 s heartbeat (a killed worker's step is retried after the next
 * supervise pass), items out of retries to the dead letter.
 */
const REVIEW_STEP: QueuePolicy = {
  retryLimit: REVIEW_MAX_ATTEMPTS - 1,
  retryDelay: 1,
  retryBackoff: true,
  retryDelayMax: 60,
  expireInSeconds: 120,
  heartbeatSeconds: 10,
  deadLetter: 'reunderwrite-review-dead',
  notify: true,
};

export const JOB_QUEUES: { [K in JobName]: QueuePolicy } = {
  'outbox-delivery': {
    retryLimit: OUTBOX_MAX_ATTEMPTS - 1,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 3600,
    expireInSeconds: 60,
    deadLetter: 'outbox-delivery-dead',
    notify: true,
  },
  'webhook-inbox': {
    // retryLimit, retryDelay and heartbeat come from WEBHOOK_* settings (jobQueues below).
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 15 * 60,
    deadLetter: 'webhook-inbox-dead',
    notify: true,
  },
  'application-step': {
    // One step runs and one waits per application (singletonKey = application id), across instances.
    policy: 'stately',
    retryLimit: 60,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 300,
    expireInSeconds: 600,
    deadLetter: 'application-step-dead',
    notify: true,
  },
  'sync-runs-sweep': { retryLimit: 0, expireInSeconds: 300 },
  'ingestion-runs-sweep': { retryLimit: 0, expireInSeconds: 300 },
  // A crash mid-job retries it once its heartbeat lapses; accounts already recorded are skipped (no second billed call).
  'income-crosscheck': { retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 300, heartbeatSeconds: 30 },
  'income-checks-sweep': { policy: 'stately', retryLimit: 0, expireInSeconds: 600 },
  // One pass runs and one waits across instances (stately: a further tick while both exist is dropped); a failed pass is
  // retried, and every step is idempotent anyway.
  'consent-lifecycle': { policy: 'stately', retryLimit: 2, retryDelay: 60, retryBackoff: true, expireInSeconds: 900 },
  'retention-sweep': { policy: 'stately', retryLimit: 2, retryDelay: 300, retryBackoff: true, expireInSeconds: 3600 },
  'reunderwrite-cycle': { retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 900, notify: true },
  // exclusive + singletonKey = item id: an item's sync step is never queued or run twice at once.
  'reunderwrite-sync': { policy: 'exclusive', ...REVIEW_STEP },
  'reunderwrite-score': REVIEW_STEP,
  'reunderwrite-review-dead': { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 60, notify: true },
  // A replay is idempotent (it starts over and overwrites its row); a killed run is retried once after its heartbeat lapses.
  'backtest-run': { retryLimit: 1, retryDelay: 5, expireInSeconds: 3600, heartbeatSeconds: 30, notify: true },
};

/** The queue policies with the parts that follow configuration filled in. */
export function jobQueues(config: AppConfig): { [K in JobName]: QueuePolicy } {
  const w = config.webhooks;
  return {
    ...JOB_QUEUES,
    'webhook-inbox': {
      ...JOB_QUEUES['webhook-inbox'],
      retryLimit: Math.max(0, w.maxAttempts - 1),
      retryDelay: Math.max(1, Math.round(w.retryBaseMs / 1000)),
      // A worker that stops heartbeating (killed) loses the job to a retry after this long.
      heartbeatSeconds: Math.max(10, Math.round(w.leaseMs / 1000)),
    },
  };
}

/** Dead-letter queues named by JOB_QUEUES; they hold failed work for inspection and are not worked. */
export const DEAD_LETTER_QUEUES = [...new Set(Object.values(JOB_QUEUES).flatMap((q) => (q.deadLetter ? [q.deadLetter] : [])))];
