import { LOAN_DEFAULT_DPD } from '../loans/loan-constants.js';
import type { LoanHistoryRecord } from '../loans/loan-history.js';
import { loanOutcome } from '../loans/loan-outcome.js';
import type { LoanStatus } from '../loans/loan-status.js';
import type { BacktestOutcome, BacktestView } from '../scoring/backtest.js';

/** Runs one SQL statement and returns its rows (a pg client, a TypeORM DataSource or EntityManager). */
export type BacktestQuery = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/**
 * A stored decision as it travels to a replay worker: the input still compressed, decoded there. Decisions that share
 * a stored input (same `inputKey`) carry it only the first time: the reader sends it once, the runner routes every
 * case of one key to the same worker, and the worker reuses what it replayed (`reuse: true`, no payload).
 */
export interface WireCase {
  decisionId: string;
  engineVersion: string;
  policyVersion: string;
  /** The stored input's hash and the deciding engine's version: decisions with one key replay identically. */
  inputKey: string;
  /** True when the input was sent with an earlier case of the same key (payloads are then null). */
  reuse: boolean;
  payloadGzip: Uint8Array | null;
  payload: unknown;
  stored: BacktestView;
  outcome: BacktestOutcome | null;
}

export interface BacktestWindow {
  /** Lagos dates `YYYY-MM-DD`: decisions made in [from, to). */
  from: string | null;
  to: string | null;
}

interface DecisionRow {
  id: string;
  /** created_at as Postgres prints it: microseconds kept (a JS Date would cut them to milliseconds). */
  created_key: string;
  engine_version: string;
  policy_version: string;
  decision: BacktestView['decision'];
  limit_minor: string;
  flags: string[];
  reason_codes: string[] | null;
  post_loan_dsr: string | null;
  inputs_hash: string;
}

interface InputRow {
  inputs_hash: string;
  payload: unknown;
  payload_gzip: Buffer | null;
}

interface LoanRow {
  decision_id: string;
  principal_minor: string;
  disbursed_at: Date;
  status: LoanStatus;
  last_dpd: number;
  restructured_at: Date | null;
  closed_at: Date | null;
  written_off_at: Date | null;
  instalments: Array<{
    seq: number;
    dueDate: string;
    principalMinor: number;
    interestMinor: number;
    paidPrincipalMinor: number;
    paidInterestMinor: number;
  }> | null;
  repayments: Array<{
    seq: number;
    paidAt: string;
    reversedAt: string | null;
    allocation: Array<{ seq: number; principalMinor: number; interestMinor: number }>;
  }> | null;
}

/**
 * The window's conditions, only those that apply (a `$n IS NULL OR …` form would hide the (created_at, id) index from
 * the planner and turn every keyset batch into a scan and sort of the whole table), with their parameters.
 */
function windowWhere(w: BacktestWindow, after: { createdKey: string; id: string } | null): { sql: string; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  if (w.from) {
    params.push(w.from);
    conds.push(`d.created_at >= ($${params.length}::date::timestamp AT TIME ZONE 'Africa/Lagos')`);
  }
  if (w.to) {
    params.push(w.to);
    conds.push(`d.created_at < ($${params.length}::date::timestamp AT TIME ZONE 'Africa/Lagos')`);
  }
  if (after) {
    params.push(after.createdKey, after.id);
    conds.push(`(d.created_at, d.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  return { sql: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

export async function countDecisions(query: BacktestQuery, w: BacktestWindow): Promise<number> {
  const where = windowWhere(w, null);
  const [row] = await query<{ n: string }>(`SELECT count(*) AS n FROM decisions d ${where.sql}`, where.params);
  return Number(row.n);
}

/**
 * The stored decisions of the window in keyset batches over (created_at, id), each with its exact input (still
 * gzip) and the outcome of the first loan booked on it, read at `asOf`. An input shared by several decisions is read
 * and sent once per run (`reuse` on the later cases) unless `reuseInputs` is false; the keys already sent are the only
 * state kept across batches (a 64-character hash per distinct input). Memory: one batch at a time. Inputs erased with
 * a borrower's data are counted in `erased` and skipped.
 */
export async function* readCases(
  query: BacktestQuery,
  w: BacktestWindow,
  opts: { asOf: Date; batchSize?: number; defaultDpd?: number; reuseInputs?: boolean },
  counters: { erased: number },
): AsyncGenerator<WireCase[]> {
  const batch = opts.batchSize ?? 250;
  const reuse = opts.reuseInputs ?? true;
  const sent = new Set<string>();
  const erasedInputs = new Set<string>();
  // The keyset position at full precision: decisions committed within one millisecond would otherwise be read twice
  // (or skipped) at a batch boundary.
  let after: { createdKey: string; id: string } | null = null;
  for (;;) {
    const where = windowWhere(w, after);
    const rows: DecisionRow[] = await query<DecisionRow>(
      `SELECT d.id, d.created_at::text AS created_key, d.engine_version, d.policy_version,
              -- The engine's own decision: an orchestration override (stale data → refer) is not the policy's.
              coalesce(d.overrides->'decision'->>'from', d.decision) AS decision,
              d.recommended_limit_minor AS limit_minor, d.flags,
              ARRAY(SELECT r->>'code' FROM jsonb_array_elements(d.reasons) r) AS reason_codes,
              d.post_loan_dsr::text AS post_loan_dsr, d.inputs_hash
         FROM decisions d
        ${where.sql}
        ORDER BY d.created_at, d.id
        LIMIT ${batch}`,
      where.params,
    );
    if (rows.length === 0) return;
    const keyOf = (r: DecisionRow): string => `${r.inputs_hash}|${r.engine_version}`;
    const wanted = [...new Set(rows.filter((r) => !reuse || (!sent.has(keyOf(r)) && !erasedInputs.has(r.inputs_hash))).map((r) => r.inputs_hash))];
    const inputs = new Map(
      (wanted.length
        ? await query<InputRow>(`SELECT inputs_hash, payload, payload_gzip FROM decision_inputs WHERE inputs_hash = ANY($1::bpchar[])`, [wanted])
        : []
      ).map((i) => [i.inputs_hash, i]),
    );
    const loans = await query<LoanRow>(
      `SELECT DISTINCT ON (l.decision_id) l.decision_id, l.principal_minor, l.disbursed_at, l.status, l.last_dpd,
              l.restructured_at, l.closed_at, l.written_off_at,
              (SELECT json_agg(json_build_object('seq', x.seq, 'dueDate', x.due_date, 'principalMinor', x.principal_minor,
                        'interestMinor', x.interest_minor, 'paidPrincipalMinor', x.paid_principal_minor,
                        'paidInterestMinor', x.paid_interest_minor) ORDER BY x.seq)
                 FROM loan_instalments x WHERE x.loan_id = l.id) AS instalments,
              (SELECT json_agg(json_build_object('seq', r.seq, 'paidAt', r.paid_at, 'reversedAt', r.reversed_at,
                        'allocation', r.allocation) ORDER BY r.seq)
                 FROM loan_repayments r WHERE r.loan_id = l.id) AS repayments
         FROM loans l
        WHERE l.decision_id = ANY($1::uuid[])
        ORDER BY l.decision_id, l.disbursed_at, l.id`,
      [rows.map((r) => r.id)],
    );
    const outcomes = new Map(
      loans.map((l) => [l.decision_id, loanOutcome(toRecord(l), opts.asOf, { defaultDpd: opts.defaultDpd ?? LOAN_DEFAULT_DPD })]),
    );
    const cases: WireCase[] = [];
    for (const r of rows) {
      const key = keyOf(r);
      const input = reuse && sent.has(key) ? null : inputs.get(r.inputs_hash);
      if (erasedInputs.has(r.inputs_hash) || (input && !input.payload_gzip && (input.payload as { erased?: boolean } | null)?.erased === true)) {
        erasedInputs.add(r.inputs_hash);
        counters.erased += 1;
        continue;
      }
      if (input === undefined) throw new Error(`decision ${r.id}: its stored input ${r.inputs_hash} is missing`);
      if (reuse) sent.add(key);
      const o = outcomes.get(r.id);
      cases.push({
        decisionId: r.id,
        engineVersion: r.engine_version,
        policyVersion: r.policy_version,
        inputKey: key,
        reuse: input === null,
        payloadGzip: input?.payload_gzip ?? null,
        payload: input && !input.payload_gzip ? input.payload : null,
        stored: {
          decision: r.decision,
          limitMinor: Number(r.limit_minor),
          reasonCodes: r.reason_codes ?? [],
          flags: r.flags,
          postLoanDsr: r.post_loan_dsr,
          // The decision's DSR cap is its policy's (limit.components.dsrCap): read from the input when it is decoded.
          dsrCap: null,
        },
        outcome: o ? { observed: o.observed, bad30: o.bad30, defaulted: o.defaulted } : null,
      });
    }
    yield cases;
    if (rows.length < batch) return;
    const last = rows[rows.length - 1];
    after = { createdKey: last.created_key, id: last.id };
  }
}

function toRecord(l: LoanRow): LoanHistoryRecord {
  return {
    principalMinor: Number(l.principal_minor),
    disbursedAt: l.disbursed_at,
    status: l.status,
    lastDpd: l.last_dpd,
    restructuredAt: l.restructured_at,
    closedAt: l.closed_at,
    writtenOffAt: l.written_off_at,
    instalments: (l.instalments ?? []).map((i) => ({ ...i, dueDate: String(i.dueDate).slice(0, 10) })),
    repayments: (l.repayments ?? []).map((r) => ({
      seq: Number(r.seq),
      paidAt: new Date(r.paidAt),
      reversedAt: r.reversedAt ? new Date(r.reversedAt) : null,
      allocation: r.allocation,
    })),
  };
}

/** The policy stored with the first decision of `version` (every stored input carries its policy), or null. */
export async function storedPolicy(query: BacktestQuery, version: string): Promise<unknown> {
  const [row] = await query<{ payload: { policy?: unknown } | null; payload_gzip: Buffer | null }>(
    `SELECT i.payload, i.payload_gzip FROM decisions d JOIN decision_inputs i ON i.inputs_hash = d.inputs_hash
      WHERE d.policy_version = $1 AND (i.payload_gzip IS NOT NULL OR NOT coalesce((i.payload->>'erased')::boolean, false))
      ORDER BY d.created_at LIMIT 1`,
    [version],
  );
  if (!row) return null;
  if (row.payload_gzip) {
    const { gunzipSync } = await import('node:zlib');
    return (JSON.parse(gunzipSync(row.payload_gzip).toString('utf8')) as { policy?: unknown }).policy ?? null;
  }
  return row.payload?.policy ?? null;
}
