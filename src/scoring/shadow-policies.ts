import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service.js';
import { riskGrade, underwrite, validatePolicy, type EngineInput, type EngineResult, type Policy } from './engine/index.js';
import { policyVersion } from './engine/policy.js';

export interface ShadowPolicyRow {
  id: string;
  policyVersion: string;
  createdBy: string;
  createdAt: Date;
  retiredAt: Date | null;
  active: boolean;
}

/** A shadow result: what the shadow policy would have decided, stored beside the live decision. */
export interface ShadowResult {
  shadowPolicyId: string;
  policyVersion: string;
  result: EngineResult;
}

/**
 * Shadow mode (docs/scoring.md "Shadow policy"): at most one candidate policy is active as the shadow; every live
 * decision is also computed under it and stored in `shadow_decisions` in the live decision's transaction — never
 * returned to the frontend, never acted on. A shadow that fails to compute never fails the live decision.
 */
@Injectable()
export class ShadowPolicies {
  private readonly logger = new Logger(ShadowPolicies.name);
  /** Validated policies by shadow id (a shadow policy never changes once stored; activation makes a new row). */
  private readonly cache = new Map<string, Policy>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async active(): Promise<{ id: string; policy: Policy } | null> {
    const [row] = await this.dataSource.query<Array<{ id: string; policy: unknown }>>(
      `SELECT id, policy FROM shadow_policies WHERE active`,
    );
    if (!row) return null;
    let policy = this.cache.get(row.id);
    if (!policy) {
      policy = validatePolicy(row.policy);
      this.cache.set(row.id, policy);
    }
    return { id: row.id, policy };
  }

  /** The live decision's input under the active shadow policy, or null (none active, or it failed: logged). */
  async compute(input: EngineInput): Promise<ShadowResult | null> {
    const shadow = await this.active();
    if (!shadow) return null;
    try {
      const result = underwrite({ ...input, policy: shadow.policy });
      return { shadowPolicyId: shadow.id, policyVersion: result.policyVersion, result };
    } catch (err) {
      this.logger.warn(`shadow policy ${shadow.id} failed on a live decision: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }

  async store(manager: EntityManager, decisionId: string, s: ShadowResult, currency: string): Promise<void> {
    await manager.query(
      `INSERT INTO shadow_decisions (decision_id, shadow_policy_id, policy_version, decision, recommended_limit_minor, currency, grade, reason_codes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        decisionId,
        s.shadowPolicyId,
        s.policyVersion,
        s.result.decision,
        s.result.limit.recommendedMinor,
        currency,
        riskGrade(s.result).grade,
        [...new Set(s.result.reasons.map((r) => r.code))],
      ],
    );
  }

  /** Activates `policy` as the shadow (retiring the previous one), audited. */
  async activate(policy: Policy, actor: string): Promise<ShadowPolicyRow> {
    return this.dataSource.transaction(async (m) => {
      const retired = await retireActive(m);
      const [row] = await m.query<Array<{ id: string; created_at: Date }>>(
        `INSERT INTO shadow_policies (policy, policy_version, created_by) VALUES ($1::jsonb, $2, $3) RETURNING id, created_at`,
        [JSON.stringify(policy), policyVersion(policy), actor],
      );
      await this.audit.record(
        {
          actor,
          action: 'shadow_policy.activated',
          entityType: 'shadow_policy',
          entityId: row.id,
          after: { policyVersion: policyVersion(policy), retiredShadowPolicyId: retired },
        },
        m,
      );
      return {
        id: row.id,
        policyVersion: policyVersion(policy),
        createdBy: actor,
        createdAt: row.created_at,
        retiredAt: null,
        active: true,
      };
    });
  }

  /** Retires the active shadow policy; false when none was active. */
  async retire(actor: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const id = await retireActive(m);
      if (!id) return false;
      await this.audit.record({ actor, action: 'shadow_policy.retired', entityType: 'shadow_policy', entityId: id }, m);
      return true;
    });
  }

  async list(limit = 20): Promise<ShadowPolicyRow[]> {
    const rows = await this.dataSource.query<
      Array<{ id: string; policy_version: string; created_by: string; created_at: Date; retired_at: Date | null; active: boolean }>
    >(`SELECT id, policy_version, created_by, created_at, retired_at, active FROM shadow_policies ORDER BY created_at DESC LIMIT $1`, [
      limit,
    ]);
    return rows.map((r) => ({
      id: r.id,
      policyVersion: r.policy_version,
      createdBy: r.created_by,
      createdAt: r.created_at,
      retiredAt: r.retired_at,
      active: r.active,
    }));
  }
}

/** Retires the active shadow policy in `m`'s transaction; its id, or null. (TypeORM answers an UPDATE with [rows, count].) */
async function retireActive(m: EntityManager): Promise<string | null> {
  const res = (await m.query(`UPDATE shadow_policies SET active = false, retired_at = now() WHERE active RETURNING id`)) as unknown;
  const rows = (Array.isArray(res) && Array.isArray(res[0]) ? res[0] : res) as Array<{ id: string }>;
  return rows[0]?.id ?? null;
}
