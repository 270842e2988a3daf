import type { ParsedMonoAccount, ParsedMonoTransaction } from './normalise/index.js';

/**
 * What ingestion needs from the bank-data provider. `MonoClient` implements it (bound in IngestionModule); tests and
 * the benchmark implement it over plain arrays, so the database logic is exercised without HTTP.
 * Accounts are addressed by the provider's account id (`bank_accounts.mono_account_id`).
 */
export interface BankDataSource {
  getAccount(providerAccountId: string): Promise<ParsedMonoAccount>;
  getBalance(providerAccountId: string, opts?: { realtime?: boolean }): Promise<{ balanceMinor: number | null; currency: string }>;
  /** Every transaction whose date falls in [start, end] (`YYYY-MM-DD`, inclusive), all pages drained. */
  getTransactions(
    providerAccountId: string,
    opts: { start?: string; end?: string; realtime?: boolean },
  ): Promise<{ transactions: ParsedMonoTransaction[]; pages: number }>;
  /** Identity where the bank provides it; only the verified full name is kept. */
  getIdentity?(providerAccountId: string): Promise<{ fullName: string | null } | null>;
}

/** Injection token of the BankDataSource. */
export const BANK_DATA_SOURCE = Symbol('BANK_DATA_SOURCE');
