import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { BankAccountEntity, DATA_STATUSES, type DataStatus } from '../accounts/bank-account.entity.js';
import { BorrowerEntity } from '../borrowers/borrower.entity.js';
import type { ParsedMonoAccount } from './wire/mono-transaction.js';

/** Details Mono told us about an account (REST or webhook); null fields leave the stored value alone. */
export interface AccountDetailsUpdate {
  dataStatus?: DataStatus | null;
  retrievedData?: string[] | null;
  balanceMinor?: number | null;
  currency?: string | null;
  institutionName?: string | null;
  institutionBankCode?: string | null;
  institutionType?: string | null;
  accountName?: string | null;
  accountNumber?: string | null;
  accountType?: string | null;
  authMethod?: string | null;
  monoCustomerId?: string | null;
}

export function asDataStatus(value: string | null | undefined): DataStatus | null {
  const upper = value?.toUpperCase();
  return (DATA_STATUSES as readonly string[]).includes(upper ?? '') ? (upper as DataStatus) : null;
}

export function detailsFromParsed(parsed: ParsedMonoAccount, customerId?: string | null): AccountDetailsUpdate {
  return {
    dataStatus: asDataStatus(parsed.dataStatus),
    retrievedData: parsed.retrievedData.length > 0 ? parsed.retrievedData : null,
    balanceMinor: parsed.balanceMinor,
    currency: parsed.currency,
    institutionName: parsed.institution?.name ?? null,
    institutionBankCode: parsed.institution?.bankCode ?? null,
    institutionType: parsed.institution?.type ?? null,
    accountName: parsed.holderName,
    accountNumber: parsed.accountNumber,
    accountType: parsed.accountType,
    authMethod: parsed.authMethod,
    monoCustomerId: customerId ?? null,
  };
}

const DETAIL_KEYS: Array<keyof AccountDetailsUpdate> = [
  'dataStatus',
  'retrievedData',
  'balanceMinor',
  'currency',
  'institutionName',
  'institutionBankCode',
  'institutionType',
  'accountName',
  'accountNumber',
  'accountType',
  'authMethod',
  'monoCustomerId',
];

/** The bank_accounts writes the Mono integration owns (linking, Mono-reported details, reauth and sync stamps). */
@Injectable()
export class MonoAccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(BankAccountEntity);
  }

  findBorrower(borrowerId: string): Promise<BorrowerEntity | null> {
    return this.dataSource.getRepository(BorrowerEntity).findOne({ where: { id: borrowerId } });
  }

  findById(accountId: string, manager?: EntityManager): Promise<BankAccountEntity | null> {
    return this.repo(manager).findOne({ where: { id: accountId } });
  }

  findByMonoAccountId(monoAccountId: string, manager?: EntityManager): Promise<BankAccountEntity | null> {
    return this.repo(manager).findOne({ where: { monoAccountId } });
  }

  /** Row-locks the account for the rest of the transaction (serialises sync requests per account). */
  lockForSync(manager: EntityManager, accountId: string): Promise<BankAccountEntity | null> {
    return manager.getRepository(BankAccountEntity).findOne({ where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Creates the account for this borrower, or refreshes it when it is already theirs (re-link clears `unlinked_at`).
   * Returns null when the Mono account already belongs to another borrower.
   */
  async upsertLinked(
    borrowerId: string,
    monoAccountId: string,
    details: AccountDetailsUpdate,
    now: Date,
    detailsAsOf: Date | null = null,
  ): Promise<{ account: BankAccountEntity; created: boolean } | null> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager.query<Array<{ id: string; created: boolean }>>(
        `INSERT INTO bank_accounts (borrower_id, mono_account_id, data_status, created_at, updated_at)
         VALUES ($1, $2, COALESCE($3, 'PROCESSING'), $4, $4)
         ON CONFLICT (mono_account_id) DO UPDATE SET unlinked_at = NULL, updated_at = $4
           WHERE bank_accounts.borrower_id = EXCLUDED.borrower_id
         RETURNING id, (xmax = 0) AS created`,
        [borrowerId, monoAccountId, details.dataStatus ?? null, now],
      );
      const row = rows[0];
      if (!row) return null;
      await this.applyDetails(row.id, details, now, { manager, asOf: detailsAsOf });
      const account = await this.findById(row.id, manager);
      return account ? { account, created: row.created } : null;
    });
  }

  /**
   * Writes the non-null details Mono sent (through the entity, so column transformers — PII encryption — apply).
   * With `asOf` (the webhook's timestamp, or when a REST fetch happened), details older than those already stored are
   * skipped — Mono does not order webhooks. Returns false when skipped. One exception: data readiness only moves
   * forward, so an "older" event saying the data is AVAILABLE/PARTIAL still lifts an account that is PROCESSING (the
   * timestamps come from two clocks, Mono's and ours: skew must not leave a ready account stuck).
   */
  async applyDetails(accountId: string, details: AccountDetailsUpdate, now: Date, opts: { manager?: EntityManager; asOf?: Date | null } = {}): Promise<boolean> {
    const patch: Partial<BankAccountEntity> = {};
    for (const key of DETAIL_KEYS) {
      const value = details[key];
      if (value === null || value === undefined) continue;
      Object.assign(patch, { [key]: value });
    }
    if (Object.keys(patch).length === 0) return true;
    const write = async (manager: EntityManager): Promise<boolean> => {
      if (opts.asOf) {
        const stamped = await manager.query<unknown>(
          `UPDATE bank_accounts SET mono_details_at = $2 WHERE id = $1 AND (mono_details_at IS NULL OR mono_details_at <= $2) RETURNING id`,
          [accountId, opts.asOf],
        );
        if (affected(stamped) === 0) {
          if (details.dataStatus === 'AVAILABLE' || details.dataStatus === 'PARTIAL') {
            await manager.query(
              `UPDATE bank_accounts SET data_status = $2, retrieved_data = coalesce($3::text[], retrieved_data), updated_at = $4
                WHERE id = $1 AND data_status = 'PROCESSING'`,
              [accountId, details.dataStatus, details.retrievedData ?? null, now],
            );
          }
          return false;
        }
      }
      await manager.getRepository(BankAccountEntity).update({ id: accountId }, { ...patch, updatedAt: now });
      return true;
    };
    return opts.manager ? write(opts.manager) : this.dataSource.transaction(write);
  }

  async markSynced(accountId: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE bank_accounts SET last_synced_at = $2, updated_at = $2 WHERE id = $1`, [accountId, now]);
  }

  async markSyncRequested(manager: EntityManager, accountId: string, now: Date): Promise<void> {
    await manager.query(`UPDATE bank_accounts SET last_sync_requested_at = $2, updated_at = $2 WHERE id = $1`, [accountId, now]);
  }

  /** Returns true when the flag was newly raised. */
  async markReauthRequired(accountId: string, now: Date): Promise<boolean> {
    const rows = await this.dataSource.query<unknown>(
      `UPDATE bank_accounts SET reauth_required = true, reauth_required_at = $2, updated_at = $2 WHERE id = $1 AND NOT reauth_required RETURNING id`,
      [accountId, now],
    );
    return affected(rows) > 0;
  }

  /** Returns true when the flag was set and is now cleared. */
  async clearReauthRequired(accountId: string, now: Date): Promise<boolean> {
    const rows = await this.dataSource.query<unknown>(
      `UPDATE bank_accounts SET reauth_required = false, reauth_required_at = NULL, updated_at = $2 WHERE id = $1 AND reauth_required RETURNING id`,
      [accountId, now],
    );
    return affected(rows) > 0;
  }

  async markUnlinked(accountId: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE bank_accounts SET unlinked_at = COALESCE(unlinked_at, $2), updated_at = $2 WHERE id = $1`, [accountId, now]);
  }
}

/** TypeORM's `query` returns `[rows, count]` for UPDATE … RETURNING on Postgres. */
export function affected(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}
