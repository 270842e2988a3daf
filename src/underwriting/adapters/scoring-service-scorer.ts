import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ScoringService } from '../../scoring/scoring.service.js';
import { ReviewScorer, type ScheduledScore } from '../ports.js';

/** Scheduled scoring through ScoringService (immutable decision + decision_inputs, trigger `scheduled`). */
@Injectable()
export class ScoringServiceScorer extends ReviewScorer {
  constructor(private readonly scoring: ScoringService) {
    super();
  }

  async scoreScheduled(
    borrowerId: string,
    opts: { actor: string; staleData: boolean; asOf: Date; manager?: EntityManager },
  ): Promise<ScheduledScore> {
    const d = await this.scoring.scoreBorrower(borrowerId, {
      trigger: 'scheduled',
      staleData: opts.staleData,
      actor: opts.actor,
      asOf: opts.asOf,
      ...(opts.manager ? { manager: opts.manager } : {}),
    });
    return {
      decisionId: d.id,
      decision: d.decision,
      recommendedLimitMinor: d.recommendedLimitMinor,
      currency: d.currency,
      createdAt: d.createdAt,
      result: d.result,
    };
  }
}
