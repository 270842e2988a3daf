import type { Direction, NormalisedTransaction, PaymentRail, TransactionCategory } from '../common/domain/transaction.js';

/** A stored transaction as other modules see it (never the entity). Amounts are integer kobo. */
export interface TransactionListItem extends NormalisedTransaction {
  categorySource: 'rule' | 'analyst';
}

export interface TransactionDbRow {
  id: string;
  account_id: string;
  provider_txn_id: string;
  posted_at: Date;
  booking_date: string;
  direction: Direction;
  amount_minor: string;
  balance_minor: string | null;
  currency: string;
  narration: string;
  rail: string;
  counterparty: string | null;
  memo: string | null;
  category: string;
  category_rule: string;
  category_source: 'rule' | 'analyst';
  provider_category: string | null;
}

export const TRANSACTION_COLUMNS = `t.id, t.account_id, t.provider_txn_id, t.posted_at, t.booking_date::text AS booking_date, t.direction, t.amount_minor,
  t.balance_minor, t.currency, t.narration, t.rail, t.counterparty, t.memo, t.category, t.category_rule, t.category_source, t.provider_category`;

function kobo(value: string, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${field} ${value} exceeds the safe integer range`);
  return n;
}

export function toTransactionItem(r: TransactionDbRow): TransactionListItem {
  return {
    id: r.id,
    accountId: r.account_id,
    providerId: r.provider_txn_id,
    postedAt: r.posted_at.toISOString(),
    date: r.booking_date,
    direction: r.direction,
    amountMinor: kobo(r.amount_minor, 'amount_minor'),
    balanceMinor: r.balance_minor === null ? null : kobo(r.balance_minor, 'balance_minor'),
    currency: r.currency,
    narration: r.narration,
    rail: r.rail as PaymentRail,
    counterparty: r.counterparty,
    memo: r.memo,
    category: r.category as TransactionCategory,
    categoryRule: r.category_rule,
    providerCategory: r.provider_category,
    categorySource: r.category_source,
  };
}
