import { EventEmitter } from 'node:events';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { policyVersion, PolicyValidationError, validatePolicy, type Policy } from '../scoring/engine/policy.js';
import { runBacktest, type BacktestRunResult } from './backtest-runner.js';
import { storedPolicy, type BacktestQuery } from './backtest-source.js';

export type BacktestStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface BacktestRequest {
  policy: unknown;
  /** `stored` (default), `current`, or a stored policy version. */
  baseline?: string;
  baselinePolicy?: unknown;
  from?: string;
  to?: string;
}

export interface BacktestRecord {
  id: string;
  status: BacktestStatus;
  candidatePolicy: string;
  baselinePolicy: string;
  window: { from: string | null; to: string | null };
  outcomesAsOf: string;
  progress: { done: number; total: number };
  requestedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  result: BacktestRunResult | null;
}

interface Row {
  id: string;
  status: BacktestStatus;
  candidate_policy: unknown;
  candidate_policy_version: string;
  baseline: string;
  baseline_policy: unknown;
  window_from: string | null;
  window_to: string | null;
  outcomes_as_of: Date;
  progress_done: number;
  progress_total: number;
  result: BacktestRunResult | null;
  error: string | null;
  requested_by: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = `id, status, candidate_policy, candidate_policy_version, baseline, baseline_policy, window_from::text AS window_from,
  window_to::text AS window_to, outcomes_as_of, progress_done, progress_total, result, error, requested_by, created_at, started_at, finished_at`;

const invalid = (field: string, message: string): DomainError =>
  new DomainError('VALIDATION_FAILED', `Invalid request: ${field}`, { fields: [{ field, errors: [message] }] });

function policyOrError(raw: unknown, field: string): Policy {
  try {
    return validatePolicy(raw);
  } catch (err) {
    if (err instanceof PolicyValidationError) throw invalid(`${field}.${err.field}`, err.message);
    throw err;
  }
}

/**
 * Backtests as background jobs (docs/scoring.md "Backtest"): a request is validated and stored with a `backtest-run`
 * job in one transaction; the job replays the stored decisions (src/backtests/backtest-runner.ts) with progress on
 * its row and stores the result. A killed run is retried once and starts over (the replay is pure).
 */
@Injectable()
export class BacktestsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BacktestsService.name);
  private readonly finished = new EventEmitter();

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.work('backtest-run', (d) => this.run(d.backtestId), { batchSize: 1 });
  }

  async request(req: BacktestRequest, actor: string): Promise<BacktestRecord> {
    const candidate = policyOrError(req.policy, 'policy');
    const baselineName = req.baselinePolicy !== undefined ? 'policy' : (req.baseline ?? 'stored');
    let baseline: Policy | null = null;
    if (req.baselinePolicy !== undefined) baseline = policyOrError(req.baselinePolicy, 'baselinePolicy');
    else if (baselineName === 'current') baseline = this.config.policy;
    else if (baselineName !== 'stored') {
      const stored = await storedPolicy(this.query, baselineName);
      if (stored === null) throw invalid('baseline', `no stored decision was made under policy ${baselineName}`);
      baseline = validatePolicy(stored);
    }
    if (req.from && req.to && req.from >= req.to) throw invalid('to', 'to must be after from');
    const id = await this.dataSource.transaction(async (m) => {
      const [row] = await m.query<Array<{ id: string }>>(
        `INSERT INTO backtests (candidate_policy, candidate_policy_version, baseline, baseline_policy, window_from, window_to, outcomes_as_of, requested_by)
         VALUES ($1::jsonb, $2, $3, $4::jsonb, $5, $6, $7, $8) RETURNING id`,
        [
          JSON.stringify(candidate),
          policyVersion(candidate),
          baseline ? policyVersion(baseline) : 'stored',
          baseline ? JSON.stringify(baseline) : null,
          req.from ?? null,
          req.to ?? null,
          this.clock.now(),
          actor,
        ],
      );
      await this.audit.record(
        {
          actor,
          action: 'backtest.requested',
          entityType: 'backtest',
          entityId: row.id,
          after: {
            candidate: policyVersion(candidate),
            baseline: baseline ? policyVersion(baseline) : 'stored',
            from: req.from ?? null,
            to: req.to ?? null,
          },
        },
        m,
      );
      await this.jobs.send('backtest-run', { backtestId: row.id }, { singletonKey: row.id }, m);
      return row.id;
    });
    return this.get(id);
  }

  async get(id: string): Promise<BacktestRecord> {
    const [row] = await this.dataSource.query<Row[]>(`SELECT ${COLUMNS} FROM backtests WHERE id = $1`, [id]);
    if (!row) throw new NotFoundError('Backtest', id);
    return toRecord(row);
  }

  async list(limit: number): Promise<BacktestRecord[]> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT id, status, candidate_policy_version, baseline, window_from::text AS window_from, window_to::text AS window_to, outcomes_as_of, progress_done, progress_total,
              error, requested_by, created_at, started_at, finished_at,
              CASE WHEN result IS NULL THEN NULL ELSE jsonb_build_object('decisions', result->'decisions', 'flipped', result->'flipped') END AS result
         FROM backtests ORDER BY created_at DESC, id LIMIT $1`,
      [limit],
    );
    return rows.map(toRecord);
  }

  /** Resolves when the backtest has finished (succeeded or failed), on this instance or already: for tests and scripts. */
  async waitFor(id: string): Promise<BacktestRecord> {
    let listener: (doneId: string) => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      listener = (doneId: string): void => {
        if (doneId === id) resolve();
      };
      this.finished.on('finished', listener);
    });
    try {
      const now = await this.get(id);
      if (now.status === 'succeeded' || now.status === 'failed') return now;
      await done;
      return await this.get(id);
    } finally {
      this.finished.off('finished', listener);
    }
  }

  private readonly query: BacktestQuery = <T>(sql: string, params: unknown[]) => this.dataSource.query<T[]>(sql, params);

  /** The job: replay, with progress on the row; the result or the error stored. */
  private async run(id: string): Promise<void> {
    const [row] = await this.dataSource.query<Row[]>(`SELECT ${COLUMNS} FROM backtests WHERE id = $1`, [id]);
    if (!row || row.status === 'succeeded' || row.status === 'failed') return;
    await this.dataSource.query(
      `UPDATE backtests SET status = 'running', started_at = now(), progress_done = 0, error = NULL WHERE id = $1`,
      [id],
    );
    try {
      let lastWrite = 0;
      const result = await runBacktest({
        query: this.query,
        candidate: validatePolicy(row.candidate_policy),
        baseline: row.baseline_policy ? validatePolicy(row.baseline_policy) : null,
        from: row.window_from,
        to: row.window_to,
        asOf: row.outcomes_as_of,
        workers: this.config.jobs.backtestWorkers,
        onProgress: async ({ done, total }) => {
          if (done - lastWrite < 1000 && done < total) return;
          lastWrite = done;
          await this.dataSource.query(`UPDATE backtests SET progress_done = $2, progress_total = $3 WHERE id = $1`, [id, done, total]);
        },
      });
      await this.dataSource.query(
        `UPDATE backtests SET status = 'succeeded', result = $2::jsonb, progress_done = progress_total, finished_at = now() WHERE id = $1`,
        [id, JSON.stringify(result)],
      );
      this.logger.log(`backtest ${id}: ${result.decisions} decisions, ${result.flipped} flipped`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.dataSource.query(`UPDATE backtests SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [
        id,
        message.slice(0, 2000),
      ]);
      this.logger.warn(`backtest ${id} failed: ${message}`);
    } finally {
      this.finished.emit('finished', id);
    }
  }
}

function toRecord(r: Row): BacktestRecord {
  return {
    id: r.id,
    status: r.status,
    candidatePolicy: r.candidate_policy_version,
    baselinePolicy: r.baseline,
    window: { from: r.window_from, to: r.window_to },
    outcomesAsOf: new Date(r.outcomes_as_of).toISOString(),
    progress: { done: r.progress_done, total: r.progress_total },
    requestedBy: r.requested_by,
    createdAt: new Date(r.created_at).toISOString(),
    startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    error: r.error,
    result: r.result,
  };
}
