/**
 * Planned events → Mono transactions with exact running balances.
 *
 * Personas plan events (salary, rent, noise…) without worrying about money; `simulate` then walks every account's
 * events in time order, skips discretionary debits the account cannot afford (real people cannot spend money they do
 * not have, and this keeps balances non-negative), drops events whose prerequisite was skipped (a reversal of a
 * purchase that never happened), and stamps each kept row with a balance computed forward from the opening balance.
 * Continuity therefore holds exactly by construction.
 */
import type { TransactionCategory } from '../../common/domain/transaction.js';
import { lagosDate, lagosInstant } from '../../ingestion/normalise/lagos-date.js';
import type { Rng } from './prng.js';
import type { MonoV2Transaction } from './types.js';

export const EMTL_THRESHOLD_MINOR = 1_000_000;
export const EMTL_MINOR = 5_000;

export interface EventTruth {
  category: TransactionCategory;
  /** Income stream key; the row is income for ground truth. */
  stream?: string;
  lender?: string;
  betting?: 'stake' | 'payout';
}

export interface PlannedEvent {
  seq: number;
  account: number;
  instant: string;
  direction: 'credit' | 'debit';
  amountMinor: number;
  narration: string;
  providerCategory: string;
  truth: EventTruth;
  /** Charges are taken even when they overdraw; everything else needs the funds. */
  force: boolean;
  requires: PlannedEvent | null;
}

export interface PlanOptions {
  force?: boolean;
  requires?: PlannedEvent | null;
  /** Electronic inflow: attracts the ₦50 EMTL when ≥ ₦10,000 (reversals, interest and cash deposits do not). */
  electronic?: boolean;
  providerCategory?: string;
}

export interface EmittedRow {
  tx: MonoV2Transaction;
  truth: EventTruth;
  account: number;
}

const PROVIDER_CATEGORY: Partial<Record<TransactionCategory, string>> = {
  bank_charges: 'bank_charges',
  card_pos: 'online_transactions',
  airtime_data: 'airtime',
  utilities: 'bills',
  cash_withdrawal: 'cash_withdrawal',
  cash_deposit: 'cash_deposit',
  loan_disbursement: 'loan',
  loan_repayment: 'loan',
  betting_stake: 'gaming',
  betting_payout: 'gaming',
  interest: 'interest',
};

export class LedgerPlan {
  private readonly events: PlannedEvent[] = [];

  constructor(private readonly rng: Rng) {}

  /** Lagos wall-clock `date` + seconds after midnight. */
  at(date: string, secondsOfDay: number): string {
    return lagosInstant(date, secondsOfDay);
  }

  credit(
    account: number,
    instant: string,
    amountMinor: number,
    narration: string,
    truth: EventTruth,
    opts: PlanOptions = {},
  ): PlannedEvent {
    const event = this.push(account, instant, 'credit', amountMinor, narration, truth, opts);
    if ((opts.electronic ?? true) && amountMinor >= EMTL_THRESHOLD_MINOR) {
      const levyNarration = this.rng.chance(0.5) ? `EMTL-${this.rng.digits(12)}` : 'Electronic Money Transfer Levy';
      this.push(account, instant, 'debit', EMTL_MINOR, levyNarration, { category: 'bank_charges' }, { force: true, requires: event });
    }
    return event;
  }

  debit(account: number, instant: string, amountMinor: number, narration: string, truth: EventTruth, opts: PlanOptions = {}): PlannedEvent {
    return this.push(account, instant, 'debit', amountMinor, narration, truth, opts);
  }

  private push(
    account: number,
    instant: string,
    direction: 'credit' | 'debit',
    amountMinor: number,
    narration: string,
    truth: EventTruth,
    opts: PlanOptions,
  ): PlannedEvent {
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) throw new RangeError(`bad amount ${amountMinor} for "${narration}"`);
    const event: PlannedEvent = {
      seq: this.events.length,
      account,
      instant,
      direction,
      amountMinor,
      narration,
      providerCategory:
        opts.providerCategory ?? PROVIDER_CATEGORY[truth.category] ?? (truth.category.startsWith('transfer') ? 'transfer' : 'unknown'),
      truth,
      force: opts.force ?? truth.category === 'bank_charges',
      requires: opts.requires ?? null,
    };
    this.events.push(event);
    return event;
  }

  /**
   * Runs the plan. Events at or after `endInstant` are dropped (history stops before asOf). Returns each account's
   * rows newest-first (ties on the instant: later-posted first, as Mono lists them) and final balances.
   */
  simulate(openingBalances: readonly number[], endInstant: string): { rows: EmittedRow[][]; balances: number[] } {
    const ordered = [...this.events]
      .filter((e) => e.instant < endInstant)
      .sort((a, b) => (a.instant === b.instant ? a.seq - b.seq : a.instant < b.instant ? -1 : 1));
    const balances = [...openingBalances];
    const kept = new Set<PlannedEvent>();
    const rows: EmittedRow[][] = openingBalances.map(() => []);
    for (const e of ordered) {
      if (e.requires !== null && !kept.has(e.requires)) continue;
      const delta = e.direction === 'credit' ? e.amountMinor : -e.amountMinor;
      if (delta < 0 && !e.force && balances[e.account] + delta < 0) continue;
      balances[e.account] += delta;
      kept.add(e);
      rows[e.account].push({
        account: e.account,
        truth: e.truth,
        tx: {
          id: this.rng.hex(24),
          narration: e.narration,
          amount: e.amountMinor,
          type: e.direction,
          balance: balances[e.account],
          date: e.instant,
          category: e.providerCategory,
          currency: 'NGN',
        },
      });
    }
    return { rows: rows.map((r) => r.reverse()), balances };
  }
}

export function monthOf(row: EmittedRow): string {
  return lagosDate(row.tx.date).slice(0, 7);
}
