import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { TRANSACTION_CATEGORIES, type TransactionCategory } from '../common/domain/transaction.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { TRANSACTION_COLUMNS, toTransactionItem, type TransactionDbRow, type TransactionListItem } from './transaction-row.js';

export interface ListTransactionsQuery {
  /** Inclusive Lagos business dates `YYYY-MM-DD`. */
  from?: string;
  to?: string;
  category?: TransactionCategory;
  /** 1..500, default 100. */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface TransactionPage {
  items: TransactionListItem[];
  nextCursor: string | null;
  /** Transactions matching the filters, all pages (the cursor does not change it). */
  total: number;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function encodeCursor(item: TransactionListItem): string {
  return Buffer.from(JSON.stringify([item.date, item.postedAt, item.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      typeof value[0] === 'string' &&
      DATE_RE.test(value[0]) &&
      typeof value[1] === 'string' &&
      !Number.isNaN(Date.parse(value[1])) &&
      typeof value[2] === 'string' &&
      UUID_RE.test(value[2])
    ) {
      return [value[0], value[1], value[2]];
    }
  } catch {
    /* fall through */
  }
  throw new DomainError('BAD_REQUEST', 'cursor is not valid', { field: 'cursor' });
}

/** Reads and analyst edits of stored transactions. */
@Injectable()
export class TransactionsQueryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Active transactions of the borrower's linked accounts, newest first, keyset-paginated. */
  async listForBorrower(borrowerId: string, query: ListTransactionsQuery = {}): Promise<TransactionPage> {
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new DomainError('BAD_REQUEST', 'limit must be an integer in 1..500', { field: 'limit' });
    for (const field of ['from', 'to'] as const) {
      const v = query[field];
      if (v !== undefined && (!DATE_RE.test(v) || Number.isNaN(Date.parse(v)))) {
        throw new DomainError('BAD_REQUEST', `${field} must be a date YYYY-MM-DD`, { field });
      }
    }
    if (query.category !== undefined && !TRANSACTION_CATEGORIES.includes(query.category)) {
      throw new DomainError('BAD_REQUEST', 'unknown category', { field: 'category' });
    }
    const borrower = await this.dataSource.query<unknown[]>(`SELECT id FROM borrowers WHERE id = $1`, [borrowerId]);
    if (borrower.length === 0) throw new NotFoundError('Borrower', borrowerId);
    const params: unknown[] = [borrowerId];
    const where = [`a.borrower_id = $1`, `a.unlinked_at IS NULL`, `t.status = 'active'`];
    if (query.from) where.push(`t.booking_date >= $${params.push(query.from)}::date`);
    if (query.to) where.push(`t.booking_date <= $${params.push(query.to)}::date`);
    if (query.category) where.push(`t.category = $${params.push(query.category)}`);
    const from = `FROM bank_transactions t JOIN bank_accounts a ON a.id = t.account_id`;
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total ${from} WHERE ${where.join(' AND ')}`,
      params,
    );
    if (query.cursor) {
      const [date, postedAt, id] = decodeCursor(query.cursor);
      where.push(
        `(t.booking_date, t.posted_at, t.id) < ($${params.push(date)}::date, $${params.push(postedAt)}::timestamptz, $${params.push(id)}::uuid)`,
      );
    }
    const rows = await this.dataSource.query<TransactionDbRow[]>(
      `SELECT ${TRANSACTION_COLUMNS} ${from}
        WHERE ${where.join(' AND ')}
        ORDER BY t.booking_date DESC, t.posted_at DESC, t.id DESC
        LIMIT $${params.push(limit + 1)}`,
      params,
    );
    const items = rows.slice(0, limit).map(toTransactionItem);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]) : null, total };
  }

  /**
   * Analyst override of a transaction's category: `category_source = 'analyst'` (ingestion never overwrites it), a
   * `recategorised` revision and an audit record, in one transaction.
   */
  async recategorise(transactionId: string, category: TransactionCategory, actor: string, reason: string): Promise<TransactionListItem> {
    if (!TRANSACTION_CATEGORIES.includes(category)) throw new DomainError('BAD_REQUEST', 'unknown category', { field: 'category' });
    if (reason.trim() === '') throw new DomainError('BAD_REQUEST', 'a reason is required', { field: 'reason' });
    return this.dataSource.transaction(async (manager) => {
      const current = await manager.query<TransactionDbRow[]>(
        `SELECT ${TRANSACTION_COLUMNS} FROM bank_transactions t WHERE t.id = $1 FOR UPDATE`,
        [transactionId],
      );
      if (current.length === 0) throw new NotFoundError('Transaction', transactionId);
      const before = current[0];
      await manager.query(
        `UPDATE bank_transactions SET category = $2, category_rule = 'analyst_override', category_source = 'analyst' WHERE id = $1`,
        [transactionId, category],
      );
      const previous = { category: before.category, categoryRule: before.category_rule, categorySource: before.category_source };
      const next = { category, categoryRule: 'analyst_override', categorySource: 'analyst' };
      await manager.query(
        `INSERT INTO transaction_revisions (transaction_id, account_id, change, previous, current, actor, reason, detected_at)
         VALUES ($1, $2, 'recategorised', $3, $4, $5, $6, $7)`,
        [transactionId, before.account_id, JSON.stringify(previous), JSON.stringify(next), actor, reason, this.clock.now()],
      );
      await this.audit.record(
        {
          actor,
          action: 'transaction.recategorised',
          entityType: 'bank_transaction',
          entityId: transactionId,
          before: previous,
          after: next,
          reason,
        },
        manager,
      );
      const after = await manager.query<TransactionDbRow[]>(`SELECT ${TRANSACTION_COLUMNS} FROM bank_transactions t WHERE t.id = $1`, [
        transactionId,
      ]);
      return toTransactionItem(after[0]);
    });
  }
}
