import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ANY_PURPOSE, CONSENT_GATE, type ConsentGate } from '../mono/consent-gate.js';
import { LinkService } from '../mono/link.service.js';
import { OutboxService } from '../outbox/outbox.service.js';
import type { ConsentEntity } from './consent.entity.js';
import { ConsentsRepository } from './consents.repository.js';
import { ErasureService } from './erasure.service.js';

const DAY_MS = 86_400_000;
/** Consents handled per transaction (expiring notices) or per sweep pass (expiries, unlink retries). */
const SWEEP_BATCH = 200;

export interface LifecycleSweep {
  /** `consent.expiring` sent. */
  expiringNotified: number;
  /** Expiring consents a later consent of the same purpose already replaces (marked, no event). */
  expiringSuperseded: number;
  /** Expiries handled (audited `consent.expired`, event sent). */
  expired: number;
  /** Accounts unlinked at Mono because no consent covers them any more (after an expiry, or a retried unlink). */
  unlinked: number;
  /** Unlinks at Mono that failed (retried on the next sweep). */
  unlinkFailures: number;
}

export interface RetentionSweep {
  /** Borrowers whose personal data was purged. */
  purged: string[];
  /** Borrowers the purge could not handle this time (a blocker appeared, or Mono refused the unlink); retried next run. */
  failed: Array<{ borrowerId: string; error: string }>;
  /** True when the batch was full: the job enqueued the next batch at once. */
  more: boolean;
}

/**
 * What happens to consents with time, and to personal data after the last need for it (docs/privacy.md):
 *
 * - **expiring**: `consent.expiring` CONSENT_EXPIRING_NOTICE_DAYS before an active consent's expiry, once, unless a
 *   later consent of the same purpose already covers the same accounts past that expiry;
 * - **expired**: once `expires_at` has passed, the expiry is audited (`consent.expired`), announced (`consent.expired`)
 *   and handled like a revocation: an account no valid consent covers any more is unlinked at Mono;
 * - **unlink retries**: an account whose consents all ended but that is still linked (Mono was unreachable when the
 *   revocation or the expiry tried) is unlinked again on every sweep until Mono answers;
 * - **retention**: a borrower with no active consent, no open loan and no application in flight for
 *   RETENTION_PERIOD_DAYS after the last need ended has its personal data purged (the erasure scrub, basis
 *   `retention`), in batches of RETENTION_BATCH_SIZE, each borrower in its own transaction.
 *
 * Both run as pg-boss jobs on cron schedules (CONSENT_LIFECYCLE_CRON, RETENTION_CRON, Africa/Lagos; one run per tick
 * across instances). Every step is idempotent (markers on the rows), so a retried or overlapping run does nothing twice.
 */
@Injectable()
export class ConsentLifecycleService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ConsentLifecycleService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ConsentsRepository,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly links: LinkService,
    private readonly erasure: ErasureService,
    private readonly jobs: JobsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(CONSENT_GATE) private readonly gate: ConsentGate,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.jobs.working) return;
    await this.jobs.work('consent-lifecycle', async () => {
      await this.sweep();
    });
    await this.jobs.work('retention-sweep', async () => {
      const run = await this.purgeExpiredRetention();
      if (run.more) await this.jobs.send('retention-sweep', {});
    });
    await this.jobs.schedule('consent-lifecycle', this.config.consents.lifecycleCron, {});
    await this.jobs.schedule('retention-sweep', this.config.retention.cron, {});
  }

  /** One lifecycle pass at the injected clock's now: expiring notices, expiries, unlink retries. */
  async sweep(): Promise<LifecycleSweep> {
    const out: LifecycleSweep = { expiringNotified: 0, expiringSuperseded: 0, expired: 0, unlinked: 0, unlinkFailures: 0 };
    const attempted = new Set<string>(); // one unlink attempt per account and sweep
    await this.notifyExpiring(out);
    await this.handleExpiries(out, attempted);
    await this.retryUnlinks(out, attempted);
    if (out.expiringNotified + out.expired + out.unlinked + out.unlinkFailures > 0) this.logger.log(out, 'consent lifecycle sweep');
    return out;
  }

  private async notifyExpiring(out: LifecycleSweep): Promise<void> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + this.config.consents.expiringNoticeDays * DAY_MS);
    for (;;) {
      const n = await this.dataSource.transaction(async (m) => {
        const due = await this.repo.lockExpiringUnnotified(m, now, until, SWEEP_BATCH);
        for (const c of due) {
          if (await this.supersededAtExpiry(c)) {
            out.expiringSuperseded += 1;
            continue;
          }
          const expiresAt = c.expiresAt as Date;
          await this.outbox.enqueue(m, 'consent.expiring', c.borrowerId, {
            consentId: c.id,
            borrowerId: c.borrowerId,
            purpose: c.purpose,
            accountIds: c.accountIds,
            expiresAt: expiresAt.toISOString(),
            daysLeft: Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS)),
            occurredAt: now.toISOString(),
          });
          out.expiringNotified += 1;
        }
        await this.repo.markExpiringNotified(m, due.map((c) => c.id), now);
        return due.length;
      });
      if (n < SWEEP_BATCH) return;
    }
  }

  /** Every account the consent covers still has a valid consent of the same purpose just after it expires. */
  private async supersededAtExpiry(c: ConsentEntity): Promise<boolean> {
    const accounts = await this.repo.linkedAccounts(c.borrowerId, c.accountIds?.length ? c.accountIds : null);
    if (accounts.length === 0) return false;
    const after = new Date((c.expiresAt as Date).getTime() + 1);
    for (const a of accounts) {
      const check = await this.gate.check(a.id, [c.purpose], after);
      if (!check.ok || check.consentId === c.id) return false;
    }
    return true;
  }

  private async handleExpiries(out: LifecycleSweep, attempted: Set<string>): Promise<void> {
    const now = this.clock.now();
    for (;;) {
      const ids = await this.repo.dueExpiries(now, SWEEP_BATCH);
      for (const id of ids) {
        const consent = await this.dataSource.transaction(async (m) => {
          const c = await this.repo.lockById(m, id);
          if (!c || c.revokedAt || c.expiryHandledAt || !c.expiresAt || c.expiresAt.getTime() > now.getTime()) return null;
          await this.repo.markExpiryHandled(m, id, now);
          await this.audit.record(
            {
              actor: 'system:consent-expiry',
              action: 'consent.expired',
              entityType: 'consent',
              entityId: id,
              after: { borrowerId: c.borrowerId, purpose: c.purpose, expiresAt: c.expiresAt.toISOString(), accountIds: c.accountIds },
              reason: 'the consent reached its expiry',
            },
            m,
          );
          await this.outbox.enqueue(m, 'consent.expired', c.borrowerId, {
            consentId: id,
            borrowerId: c.borrowerId,
            purpose: c.purpose,
            accountIds: c.accountIds,
            expiredAt: c.expiresAt.toISOString(),
            occurredAt: now.toISOString(),
          });
          return c;
        });
        if (!consent) continue;
        out.expired += 1;
        await this.unlinkUncovered(consent.borrowerId, consent.accountIds, `every consent revoked or expired (last: ${consent.id} expired)`, out, attempted);
      }
      if (ids.length < SWEEP_BATCH) return;
    }
  }

  private async retryUnlinks(out: LifecycleSweep, attempted: Set<string>): Promise<void> {
    const now = this.clock.now();
    for (const accountId of await this.repo.lapsedLinkedAccounts(now, SWEEP_BATCH)) {
      if (attempted.has(accountId)) continue;
      await this.unlinkOne(accountId, 'no consent covers the account any more (retried unlink)', out, attempted);
    }
  }

  private async unlinkUncovered(
    borrowerId: string,
    accountIds: string[] | null,
    reason: string,
    out: LifecycleSweep,
    attempted: Set<string>,
  ): Promise<void> {
    const now = this.clock.now();
    for (const account of await this.repo.linkedAccounts(borrowerId, accountIds?.length ? accountIds : null)) {
      if ((await this.gate.check(account.id, ANY_PURPOSE, now)).ok) continue;
      await this.unlinkOne(account.id, reason, out, attempted);
    }
  }

  private async unlinkOne(accountId: string, reason: string, out: LifecycleSweep, attempted: Set<string>): Promise<void> {
    attempted.add(accountId);
    try {
      if (await this.links.unlinkAtMono(accountId, 'system:consent-lifecycle', reason)) out.unlinked += 1;
    } catch (err) {
      out.unlinkFailures += 1;
      this.logger.warn({ err, accountId }, 'unlinking at Mono failed; the next lifecycle sweep tries again (nothing is fetched meanwhile)');
    }
  }

  /**
   * One retention batch at the injected clock's now: borrowers whose last need for their data ended more than
   * RETENTION_PERIOD_DAYS ago are erased (basis `retention`, actor `system:retention`), oldest first.
   */
  async purgeExpiredRetention(): Promise<RetentionSweep> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - this.config.retention.periodDays * DAY_MS);
    const batch = this.config.retention.batchSize;
    const candidates = await this.repo.retentionCandidates(now, cutoff, batch);
    const run: RetentionSweep = { purged: [], failed: [], more: false };
    for (const c of candidates) {
      try {
        await this.erasure.erase(c.id, {
          dryRun: false,
          actor: 'system:retention',
          basis: 'retention',
          reason: `retention period of ${this.config.retention.periodDays} days ended (last need ${c.lastNeedEndedAt.toISOString()})`,
        });
        run.purged.push(c.id);
      } catch (err) {
        run.failed.push({ borrowerId: c.id, error: err instanceof DomainError ? err.code : err instanceof Error ? err.message : String(err) });
        this.logger.warn({ err, borrowerId: c.id }, 'retention purge of a borrower failed; the next run tries again');
      }
    }
    // Only a batch that purged something can make progress on a next one at once (failures wait for the next run).
    run.more = candidates.length === batch && run.purged.length > 0;
    if (candidates.length > 0) this.logger.log({ purged: run.purged.length, failed: run.failed.length, more: run.more }, 'retention purge');
    return run;
  }
}
