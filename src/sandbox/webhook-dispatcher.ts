/**
 * Delivers Mono webhooks to one target (API reference §7.1): POST JSON `{event, data, event_id, timestamp}` with the
 * `mono-webhook-secret` header, after a random delay, retried with exponential backoff until the target answers
 * exactly 200 (bounded attempts). An in-memory queue with a readable delivery log. Events of one batch keep their
 * order unless the reorder fault is on; duplicates (same event_id) are injected on request.
 */
import { EventEmitter } from 'node:events';
import { SeededRandom } from './random.js';
import type { SandboxLogger, WebhookRetryOptions } from './types.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  at: string;
  /** HTTP status answered, or null on a network error / timeout. */
  status: number | null;
  error?: string;
}

export interface DeliveryRecord {
  /** Unique per delivery record (a duplicate shares `eventId` but not `deliveryId`). */
  deliveryId: number;
  eventId: string;
  event: string;
  accountId: string | null;
  body: { event: string; data: Record<string, unknown>; event_id: string; timestamp: string };
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  duplicate: boolean;
  createdAt: string;
  /** Wall-clock ms (not the injected clock) of the next attempt. */
  dueAt: number;
}

export interface WebhookEventInput {
  event: string;
  accountId: string | null;
  data: Record<string, unknown>;
}

export interface WebhookFaults {
  duplicateRate: number;
  reorder: boolean;
  rng: SeededRandom;
}

const MAX_LOG = 5000;
const DELIVERY_TIMEOUT_MS = 10_000;

export class WebhookDispatcher {
  private records: DeliveryRecord[] = [];
  private nextId = 1;
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private closed = false;
  /** Due time of the last event queued per account, so one account's events stay in order without holding up others. */
  private readonly lastDueAt = new Map<string, number>();
  private faults: WebhookFaults | null = null;
  /** 'change' after every queued delivery and every attempt (in-process observers: tests, the demo). */
  private readonly changes = new EventEmitter();

  constructor(
    private target: string | null,
    private readonly secret: string,
    private delayMs: [number, number],
    private retry: WebhookRetryOptions,
    private readonly rng: SeededRandom,
    private readonly newEventId: () => string,
    private readonly now: () => Date,
    private readonly log: SandboxLogger,
  ) {}

  setTarget(url: string | null): void {
    this.target = url;
    this.schedule();
  }

  getTarget(): string | null {
    return this.target;
  }

  setDelay(delayMs: [number, number]): void {
    this.delayMs = delayMs;
  }

  setRetry(retry: WebhookRetryOptions): void {
    this.retry = retry;
  }

  setFaults(faults: WebhookFaults | null): void {
    this.faults = faults;
  }

  /** Queues a batch of events that happen together (e.g. account_connected then account_updated). */
  emit(batch: WebhookEventInput[], extraDelayMs = 0): DeliveryRecord[] {
    if (batch.length === 0) return [];
    const nowMs = Date.now();
    const timestamp = this.now().toISOString();
    // Due times grow through the batch so events arrive in order; the reorder fault reverses them.
    const key = batch[0].accountId ?? '';
    const dues: number[] = [];
    let due = Math.max(nowMs + extraDelayMs, this.lastDueAt.get(key) ?? 0);
    for (let i = 0; i < batch.length; i++) {
      due += this.randomDelay();
      dues.push(due);
    }
    this.lastDueAt.set(key, dues[dues.length - 1]);
    if (this.faults?.reorder && batch.length > 1) dues.reverse();
    const created: DeliveryRecord[] = [];
    batch.forEach((input, i) => {
      const eventId = this.newEventId();
      const body = { event: input.event, data: input.data, event_id: eventId, timestamp };
      created.push(this.push({ eventId, event: input.event, accountId: input.accountId, body, duplicate: false, dueAt: dues[i] }));
      if (this.faults && this.faults.duplicateRate > 0 && this.faults.rng.next() < this.faults.duplicateRate) {
        created.push(this.push({ eventId, event: input.event, accountId: input.accountId, body, duplicate: true, dueAt: dues[i] + 1 + this.randomDelay() }));
      }
    });
    this.schedule();
    return created;
  }

  deliveries(filter: { accountId?: string; event?: string } = {}): DeliveryRecord[] {
    return this.records.filter((r) => (!filter.accountId || r.accountId === filter.accountId) && (!filter.event || r.event === filter.event));
  }

  /**
   * Resolves once `predicate` holds for this dispatcher: checked now and after every queued delivery and attempt
   * (no polling). For in-process callers that wait for webhooks to be queued, delivered or given up.
   */
  until(predicate: (d: WebhookDispatcher) => boolean): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!predicate(this)) return;
        this.changes.off('change', check);
        resolve();
      };
      this.changes.on('change', check);
    });
  }

  /** Resolves once at least `count` deliveries match `filter` and none of them is pending. */
  settled(filter: { accountId?: string; event?: string }, count: number): Promise<DeliveryRecord[]> {
    const done = (d: WebhookDispatcher): boolean => {
      const list = d.deliveries(filter);
      return list.length >= count && list.every((r) => r.status !== 'pending');
    };
    return this.until(done).then(() => this.deliveries(filter));
  }

  pendingCount(): number {
    return this.records.filter((r) => r.status === 'pending').length;
  }

  clear(): void {
    this.records = [];
    this.lastDueAt.clear();
  }

  /** Attempts every pending event now (ignoring remaining delays), in due order; resolves when each had one attempt. */
  async flush(): Promise<void> {
    if (this.pumping) await this.pumping;
    if (!this.target) return;
    const pending = this.records.filter((r) => r.status === 'pending').sort((a, b) => a.dueAt - b.dueAt);
    for (const r of pending) if (r.status === 'pending' && !this.closed) await this.attempt(r);
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pumping) await this.pumping.catch(() => undefined);
  }

  private push(r: Omit<DeliveryRecord, 'deliveryId' | 'status' | 'attempts' | 'createdAt'>): DeliveryRecord {
    const record: DeliveryRecord = { ...r, deliveryId: this.nextId++, status: 'pending', attempts: [], createdAt: this.now().toISOString() };
    this.records.push(record);
    if (this.records.length > MAX_LOG) this.records.splice(0, this.records.length - MAX_LOG);
    setImmediate(() => this.changes.emit('change'));
    return record;
  }

  private randomDelay(): number {
    const [min, max] = this.delayMs;
    return max <= min ? min : min + Math.floor(this.rng.next() * (max - min + 1));
  }

  private schedule(): void {
    if (this.closed || !this.target || this.pumping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.records.filter((r) => r.status === 'pending');
    if (pending.length === 0) return;
    const next = Math.min(...pending.map((r) => r.dueAt));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pumping = this.pump().finally(() => {
        this.pumping = null;
        this.schedule();
      });
    }, Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  private async pump(): Promise<void> {
    for (;;) {
      if (this.closed || !this.target) return;
      const due = this.records.filter((r) => r.status === 'pending' && r.dueAt <= Date.now()).sort((a, b) => a.dueAt - b.dueAt || a.deliveryId - b.deliveryId);
      if (due.length === 0) return;
      for (const r of due) {
        if (this.closed) return;
        await this.attempt(r);
      }
    }
  }

  private async attempt(r: DeliveryRecord): Promise<void> {
    const target = this.target;
    if (!target) return;
    const attempt: DeliveryAttempt = { at: this.now().toISOString(), status: null };
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'mono-webhook-secret': this.secret },
        body: JSON.stringify(r.body),
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      attempt.status = res.status;
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      attempt.error = err instanceof Error ? err.message : String(err);
    }
    r.attempts.push(attempt);
    try {
      if (attempt.status === 200) {
        r.status = 'delivered';
        return;
      }
      if (r.attempts.length >= this.retry.maxAttempts) {
        r.status = 'failed';
        this.log.warn({ event: r.event, eventId: r.eventId, attempts: r.attempts.length }, 'sandbox webhook delivery gave up');
        return;
      }
      const backoff = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (r.attempts.length - 1));
      r.dueAt = Date.now() + backoff;
    } finally {
      this.changes.emit('change');
    }
  }
}
