import type { Queue } from 'pg-boss';

/** Every background queue, its payload and its pg-boss policy (retries, backoff, dead letter). */
export interface JobPayloads {
  /** Deliver one outbox_events row to EVENTS_WEBHOOK_URL. */
  'outbox-delivery': { eventId: string };
  /** Create (or resume) a re-underwriting cycle; sent by the pg-boss cron (REUNDERWRITE_CRON, Africa/Lagos). */
  'reunderwrite-cycle': { trigger: 'scheduled' };
  /** Review step 1 of one review_items row: spend the cycle's Mono budget and request the borrower's syncs. */
  'reunderwrite-sync': { itemId: string };
  /** Review step 2: score and apply the limit (one short transaction); `final` = the ingestion wait is over. */
  'reunderwrite-score': { itemId: string; final: boolean };
  /** Dead letter of both review steps: the item is marked failed (its retries are exhausted). */
  'reunderwrite-review-dead': { itemId: string; final?: boolean };
}
export type JobName = keyof JobPayloads;

/** Delivery attempts before an outbound event is marked failed (about a day with the backoff below). */
export const OUTBOX_MAX_ATTEMPTS = 12;

/** Attempts of each review step before its item is marked failed. */
export const REVIEW_MAX_ATTEMPTS = 3;

export const JOB_QUEUES: { [K in JobName]: Omit<Queue, 'name'> } = {
  'outbox-delivery': {
    retryLimit: OUTBOX_MAX_ATTEMPTS - 1,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 3600,
    expireInSeconds: 60,
    deadLetter: 'outbox-delivery-dead',
    notify: true,
  },
  'reunderwrite-cycle': { retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 900, notify: true },
  // exclusive + singletonKey = item id: an item's sync step is never queued or run twice at once.
  'reunderwrite-sync': {
    policy: 'exclusive',
    retryLimit: REVIEW_MAX_ATTEMPTS - 1,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 60,
    expireInSeconds: 120,
    // A worker killed mid-step stops its heartbeat: the step is retried after the next supervise pass.
    heartbeatSeconds: 10,
    deadLetter: 'reunderwrite-review-dead',
    notify: true,
  },
  'reunderwrite-score': {
    retryLimit: REVIEW_MAX_ATTEMPTS - 1,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 60,
    expireInSeconds: 120,
    // A worker killed mid-step stops its heartbeat: the step is retried after the next supervise pass.
    heartbeatSeconds: 10,
    deadLetter: 'reunderwrite-review-dead',
    notify: true,
  },
  'reunderwrite-review-dead': { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 60, notify: true },
};

/** Dead-letter queues named by JOB_QUEUES; they hold failed work for inspection and are not worked. */
export const DEAD_LETTER_QUEUES = [...new Set(Object.values(JOB_QUEUES).flatMap((q) => (q.deadLetter ? [q.deadLetter] : [])))];
