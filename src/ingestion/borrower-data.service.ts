import { Injectable } from '@nestjs/common';
import { readKoboOrNull } from '../common/money.js';
import { DataSource } from 'typeorm';
import type { DataQualityFinding, DataQualityKind, EngineAccount } from '../common/domain/account.js';
import type { NormalisedTransaction } from '../common/domain/transaction.js';
import { NotFoundError } from '../common/errors/domain-error.js';
import { computeCoverage, lagosDate } from './normalise/index.js';
import { TRANSACTION_COLUMNS, toTransactionItem, type TransactionDbRow } from './transaction-row.js';

export interface EngineInput {
  accounts: EngineAccount[];
  transactions: NormalisedTransaction[];
  /** ISO instant of the latest successful sync or ingestion across the accounts (asOf when none yet). */
  dataAsOf: string;
}

/** The scoring engine's input, read from what ingestion stored. */
@Injectable()
export class BorrowerDataService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Active transactions dated up to asOf's Lagos date of every linked (not unlinked) account of the borrower, their
   * unresolved data-quality findings, and coverage recomputed for asOf.
   */
  async loadEngineInput(borrowerId: string, asOf: Date): Promise<EngineInput> {
    const borrower = await this.dataSource.query<unknown[]>(`SELECT id FROM borrowers WHERE id = $1`, [borrowerId]);
    if (borrower.length === 0) throw new NotFoundError('Borrower', borrowerId);
    const accounts = await this.dataSource.query<
      Array<{
        id: string;
        institution_name: string | null;
        holder_name: string | null;
        currency: string;
        balance_minor: string | null;
        reauth_required: boolean;
        last_synced_at: Date | null;
        last_ingested_at: Date | null;
      }>
    >(
      `SELECT id, institution_name, coalesce(account_name, identity_full_name) AS holder_name, currency, balance_minor, reauth_required,
              last_synced_at, last_ingested_at
         FROM bank_accounts WHERE borrower_id = $1 AND unlinked_at IS NULL ORDER BY created_at, id`,
      [borrowerId],
    );
    const ids = accounts.map((a) => a.id);
    const asOfIso = asOf.toISOString();
    const rows = await this.dataSource.query<TransactionDbRow[]>(
      `SELECT ${TRANSACTION_COLUMNS} FROM bank_transactions t
        WHERE t.account_id = ANY($1::uuid[]) AND t.status = 'active' AND t.booking_date <= $2::date
        ORDER BY t.booking_date, t.posted_at, t.id`,
      [ids, lagosDate(asOfIso)],
    );
    const findingRows = await this.dataSource.query<
      Array<{
        account_id: string;
        kind: string;
        transaction_id: string | null;
        booking_date: string | null;
        details: Record<string, unknown>;
      }>
    >(
      `SELECT account_id, kind, transaction_id, booking_date::text AS booking_date, details FROM data_quality_findings
        WHERE account_id = ANY($1::uuid[]) AND resolved_at IS NULL AND detected_at <= $2
        ORDER BY detected_at, id`,
      [ids, asOf],
    );

    const transactions: NormalisedTransaction[] = rows.map((r) => {
      const { categorySource: _source, ...tx } = toTransactionItem(r);
      return tx;
    });
    const byAccount = new Map<string, NormalisedTransaction[]>(ids.map((id) => [id, []]));
    for (const t of transactions) byAccount.get(t.accountId)?.push(t);
    const findingsByAccount = new Map<string, DataQualityFinding[]>(ids.map((id) => [id, []]));
    for (const f of findingRows) {
      findingsByAccount.get(f.account_id)?.push({
        accountId: f.account_id,
        kind: f.kind as DataQualityKind,
        ...(f.transaction_id ? { transactionId: f.transaction_id } : {}),
        ...(f.booking_date ? { date: f.booking_date } : {}),
        details: f.details,
      });
    }
    let dataAsOf: Date | null = null;
    const engineAccounts: EngineAccount[] = accounts.map((a) => {
      for (const d of [a.last_synced_at, a.last_ingested_at]) if (d && d <= asOf && (dataAsOf === null || d > dataAsOf)) dataAsOf = d;
      return {
        accountId: a.id,
        institution: a.institution_name,
        holderName: a.holder_name,
        currency: a.currency,
        balanceMinor: readKoboOrNull(a.balance_minor, 'balance_minor'),
        coverage: computeCoverage(a.id, byAccount.get(a.id) ?? [], asOfIso, a.last_synced_at ? a.last_synced_at.toISOString() : null),
        findings: findingsByAccount.get(a.id) ?? [],
        reauthRequired: a.reauth_required,
      };
    });
    return { accounts: engineAccounts, transactions, dataAsOf: (dataAsOf as Date | null)?.toISOString() ?? asOfIso };
  }
}
