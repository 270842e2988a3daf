import { Injectable, Optional } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames, registers: [registry] });
}
function histogram(registry: Registry, name: string, help: string, buckets: number[]): Histogram {
  return (registry.getSingleMetric(name) as Histogram | undefined) ?? new Histogram({ name, help, buckets, registers: [registry] });
}

/** Prometheus metrics of re-underwriting, registered on the app's Registry (MetricsModule) or a private one. */
@Injectable()
export class ReunderwritingMetrics {
  readonly registry: Registry;
  readonly reviewed: Counter<'outcome'>;
  readonly synced: Counter<'outcome'>;
  readonly reauthNeeded: Counter;
  readonly limitActions: Counter<'action'>;
  readonly monoCalls: Counter;
  readonly cycles: Counter<'status'>;
  readonly cycleDuration: Histogram;
  readonly reviewDuration: Histogram;

  constructor(@Optional() registry?: Registry) {
    this.registry = registry ?? new Registry();
    const r = this.registry;
    this.reviewed = counter(r, 'reunderwrite_borrowers_reviewed_total', 'Borrowers reviewed by re-underwriting, by outcome', ['outcome']);
    this.synced = counter(r, 'reunderwrite_account_syncs_total', 'Account syncs asked by re-underwriting, by outcome', ['outcome']);
    this.reauthNeeded = counter(r, 'reunderwrite_reauth_needed_total', 'Accounts found needing re-authorisation during reviews', []);
    this.limitActions = counter(
      r,
      'reunderwrite_limit_actions_total',
      'Limit review outcomes (raised, lowered, frozen, unfrozen, unchanged)',
      ['action'],
    );
    this.monoCalls = counter(r, 'reunderwrite_mono_calls_spent_total', 'Mono sync calls spent from cycle budgets', []);
    this.cycles = counter(r, 'reunderwrite_cycles_total', 'Re-underwriting cycles finished, by status', ['status']);
    this.cycleDuration = histogram(
      r,
      'reunderwrite_cycle_duration_seconds',
      'Duration of a re-underwriting cycle (drain by one process)',
      [1, 5, 15, 60, 300, 900, 3600],
    );
    this.reviewDuration = histogram(
      r,
      'reunderwrite_review_duration_seconds',
      'Duration of one borrower review',
      [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    );
  }
}
