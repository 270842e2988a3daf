import type { Queue } from 'pg-boss';

/** Every background queue, its payload and its pg-boss policy (retries, backoff, dead letter). */
export interface JobPayloads {
  /** Deliver one outbox_events row to EVENTS_WEBHOOK_URL. */
  'outbox-delivery': { eventId: string };
}
export type JobName = keyof JobPayloads;

/** Delivery attempts before an outbound event is marked failed (about a day with the backoff below). */
export const OUTBOX_MAX_ATTEMPTS = 12;

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
};

/** Dead-letter queues named by JOB_QUEUES; they hold failed work for inspection and are not worked. */
export const DEAD_LETTER_QUEUES = [...new Set(Object.values(JOB_QUEUES).flatMap((q) => (q.deadLetter ? [q.deadLetter] : [])))];
