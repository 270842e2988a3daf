import type { BankDataSource } from '../bank-data-source.js';
import type { ParsedMonoAccount, ParsedMonoTransaction } from '../normalise/index.js';

export interface ArrayAccount {
  details: ParsedMonoAccount;
  balanceMinor: number | null;
  transactions: ParsedMonoTransaction[];
  identityName?: string | null;
}

/**
 * A real BankDataSource over in-memory arrays (tests, the benchmark, the crash script): filters by date like the
 * provider, counts calls, and can be told to fail, so ingestion's database logic runs without HTTP.
 */
export class ArrayBankDataSource implements BankDataSource {
  readonly accounts = new Map<string, ArrayAccount>();
  readonly calls: Array<{ method: string; providerAccountId: string; start?: string; end?: string }> = [];
  /** When set, getTransactions throws it (after reading the data, as a fetch failing on a later page would). */
  failTransactions: Error | null = null;
  /** When set, awaited inside getTransactions (lets tests interleave concurrent ingestions). */
  gate: Promise<void> | null = null;

  set(providerAccountId: string, account: ArrayAccount): this {
    this.accounts.set(providerAccountId, account);
    return this;
  }

  private get(id: string): ArrayAccount {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`unknown provider account ${id}`);
    return account;
  }

  async getAccount(providerAccountId: string): Promise<ParsedMonoAccount> {
    this.calls.push({ method: 'getAccount', providerAccountId });
    return { ...this.get(providerAccountId).details };
  }

  async getBalance(providerAccountId: string): Promise<{ balanceMinor: number | null; currency: string }> {
    this.calls.push({ method: 'getBalance', providerAccountId });
    const a = this.get(providerAccountId);
    return { balanceMinor: a.balanceMinor, currency: a.details.currency };
  }

  async getTransactions(
    providerAccountId: string,
    opts: { start?: string; end?: string },
  ): Promise<{ transactions: ParsedMonoTransaction[]; pages: number }> {
    this.calls.push({ method: 'getTransactions', providerAccountId, ...opts });
    if (this.gate) await this.gate;
    const rows = this.get(providerAccountId).transactions.filter((t) => {
      // Providers filter on the UTC calendar date of the timestamp.
      const day = t.postedAt.slice(0, 10);
      return (opts.start === undefined || day >= opts.start) && (opts.end === undefined || day <= opts.end);
    });
    if (this.failTransactions) throw this.failTransactions;
    return { transactions: rows.map((t) => ({ ...t })), pages: Math.max(1, Math.ceil(rows.length / 100)) };
  }

  async getIdentity(providerAccountId: string): Promise<{ fullName: string | null } | null> {
    const name = this.get(providerAccountId).identityName;
    return name === undefined ? null : { fullName: name };
  }
}

export function accountDetails(
  providerAccountId: string,
  holderName: string,
  overrides: Partial<ParsedMonoAccount> = {},
): ParsedMonoAccount {
  return {
    accountId: providerAccountId,
    holderName,
    accountNumber: null,
    currency: 'NGN',
    balanceMinor: null,
    accountType: 'SAVINGS_ACCOUNT',
    bvnLast4: null,
    institution: { name: 'Test Bank', bankCode: '999', type: 'PERSONAL_BANKING' },
    dataStatus: 'AVAILABLE',
    authMethod: 'internet_banking',
    retrievedData: ['identity', 'balance', 'transactions'],
    syncStatus: null,
    ...overrides,
  };
}
