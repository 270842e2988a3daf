import { Module } from '@nestjs/common';
import { MonoModule } from '../mono/mono.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { ScoringModule } from '../scoring/scoring.module.js';
import { OutboxLimitEventSink } from './adapters/outbox-limit-event-sink.js';
import { ScoringServiceScorer } from './adapters/scoring-service-scorer.js';
import { SyncServiceSyncer } from './adapters/sync-service-syncer.js';
import { DEFAULT_LIMIT_POLICY } from './limit-policy.js';
import { AccountSyncer, LimitEventSink, ReviewScorer } from './ports.js';
import { ReunderwriteJob } from './reunderwrite.job.js';
import { ReunderwritingController } from './reunderwriting.controller.js';
import { ReunderwritingMetrics } from './reunderwriting.metrics.js';
import { ReunderwritingRepository } from './reunderwriting.repository.js';
import { LIMIT_POLICY, ReunderwritingService } from './reunderwriting.service.js';

/**
 * Scheduled re-underwriting and limit management. The ports are bound here: scoring, Mono sync and the outbox.
 * Its schedule and review steps are pg-boss jobs (ReunderwriteJob; JobsModule is global).
 */
@Module({
  imports: [ScoringModule, MonoModule, OutboxModule],
  controllers: [ReunderwritingController],
  providers: [
    ReunderwritingRepository,
    ReunderwritingService,
    ReunderwritingMetrics,
    ReunderwriteJob,
    { provide: LIMIT_POLICY, useValue: DEFAULT_LIMIT_POLICY },
    { provide: ReviewScorer, useClass: ScoringServiceScorer },
    { provide: AccountSyncer, useClass: SyncServiceSyncer },
    { provide: LimitEventSink, useClass: OutboxLimitEventSink },
  ],
  exports: [ReunderwritingService],
})
export class UnderwritingModule {}
