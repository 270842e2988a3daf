import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { affected } from './mono-accounts.repository.js';
import { SyncRunEntity } from './sync-run.entity.js';
import { IN_FLIGHT_SYNC_STATUSES, syncRunSourcesFor, type SyncRunStatus, type SyncStrategy, type SyncTrigger } from './sync-run-status.js';

export interface SyncRunCompletion {
  monoCode?: string | null;
  jobId?: string | null;
  hasNewData?: boolean | null;
  error?: Record<string, unknown> | null;
}

@Injectable()
export class SyncRunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(SyncRunEntity);
  }

  findById(id: string): Promise<SyncRunEntity | null> {
    return this.repo().findOne({ where: { id } });
  }

  findInFlight(accountId: string, manager?: EntityManager): Promise<SyncRunEntity | null> {
    return this.repo(manager).findOne({ where: { accountId, status: In([...IN_FLIGHT_SYNC_STATUSES]) } });
  }

  findByJobId(accountId: string, jobId: string): Promise<SyncRunEntity | null> {
    return this.repo().findOne({ where: { accountId, jobId }, order: { createdAt: 'DESC' } });
  }

  findLatest(accountId: string): Promise<SyncRunEntity | null> {
    return this.repo().findOne({ where: { accountId }, order: { createdAt: 'DESC' } });
  }

  /** The last run that asked Mono (or was asked to) — rate-limit skips do not move the window. */
  findLatestRequest(accountId: string, manager?: EntityManager): Promise<SyncRunEntity | null> {
    return this.repo(manager)
      .createQueryBuilder('r')
      .where('r.account_id = :accountId', { accountId })
      .andWhere(`r.status <> 'skipped_rate_limit'`)
      .orderBy('r.created_at', 'DESC')
      .getOne();
  }

  async insert(
    manager: EntityManager,
    run: { accountId: string; trigger: SyncTrigger; strategy: SyncStrategy; status: SyncRunStatus; now: Date; error?: Record<string, unknown> | null; monoCode?: string | null; consentId?: string | null },
  ): Promise<SyncRunEntity> {
    const terminal = !IN_FLIGHT_SYNC_STATUSES.includes(run.status);
    const entity = manager.getRepository(SyncRunEntity).create({
      accountId: run.accountId,
      trigger: run.trigger,
      strategy: run.strategy,
      status: run.status,
      error: run.error ?? null,
      monoCode: run.monoCode ?? null,
      consentId: run.consentId ?? null,
      requestedAt: run.now,
      completedAt: terminal ? run.now : null,
      createdAt: run.now,
    });
    return manager.getRepository(SyncRunEntity).save(entity);
  }

  /** In-flight runs older than the cutoff no longer block the account. Returns how many were timed out. */
  async timeOutStale(cutoff: Date, now: Date, accountId?: string, manager?: EntityManager): Promise<number> {
    const params: unknown[] = [cutoff, now];
    let sql = `UPDATE sync_runs SET status = 'timed_out', completed_at = $2, error = COALESCE(error, '{}'::jsonb) || '{"kind":"timed_out"}'::jsonb
               WHERE status IN ('pending', 'requested') AND created_at < $1`;
    if (accountId) {
      params.push(accountId);
      sql += ` AND account_id = $3`;
    }
    return affected(await (manager ?? this.dataSource.manager).query(sql + ' RETURNING id', params));
  }

  /** Guarded transition (only from the statuses the transition table allows). Returns false when nothing moved. */
  async transition(id: string, to: SyncRunStatus, now: Date, fields: SyncRunCompletion = {}): Promise<boolean> {
    const from = syncRunSourcesFor(to);
    if (from.length === 0) return false;
    const terminal = !IN_FLIGHT_SYNC_STATUSES.includes(to);
    const result = await this.dataSource.query<unknown>(
      `UPDATE sync_runs SET status = $2,
         mono_code = COALESCE($4, mono_code),
         job_id = COALESCE($5, job_id),
         has_new_data = COALESCE($6, has_new_data),
         error = COALESCE($7::jsonb, error),
         completed_at = CASE WHEN $8 THEN $3::timestamptz ELSE completed_at END
       WHERE id = $1 AND status = ANY($9::varchar[]) RETURNING id`,
      [id, to, now, fields.monoCode ?? null, fields.jobId ?? null, fields.hasNewData ?? null, fields.error ? JSON.stringify(fields.error) : null, terminal, from],
    );
    return affected(result) > 0;
  }

  /** Sets has_new_data on a succeeded run (a later account_updated knows it); no-op for a run in any other status. */
  async recordHasNewData(id: string, hasNewData: boolean): Promise<void> {
    await this.dataSource.query(`UPDATE sync_runs SET has_new_data = $2 WHERE id = $1 AND status = 'succeeded'`, [id, hasNewData]);
  }
}
