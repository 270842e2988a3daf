import type { Response } from 'superagent';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * Seeds one borrower with a linked account and about six months of categorised transactions ending yesterday
 * (Lagos), the way ingestion stores them: a monthly salary, a monthly transfer from a friend, rent, card spend,
 * bills, a loan repayment, a little betting and one overdrawn spell. Dates are relative to today so the
 * real clock's decisions (including re-runs after overrides) see the same data.
 */
export interface SeededBorrower {
  borrowerId: string;
  accountId: string;
  transactionIds: string[];
}

interface Tx {
  date: string;
  direction: 'credit' | 'debit';
  amount: number;
  category: string;
  counterparty: string | null;
  narration: string;
  rail: string;
}

const OPENING_BALANCE = 5_000_000;

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  return ymd(new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000));
}

export function seedTransactions(today: string): Tx[] {
  const txs: Tx[] = [];
  const [y, m] = today.split('-').map(Number);
  for (let k = 6; k >= 0; k -= 1) {
    const month = new Date(Date.UTC(y, m - 1 - k, 1));
    const ym = ymd(month).slice(0, 7);
    const at = (day: number): string => `${ym}-${String(day).padStart(2, '0')}`;
    const push = (day: number, tx: Omit<Tx, 'date'>): void => {
      const date = at(day);
      if (date < today) txs.push({ date, ...tx });
    };
    push(2, {
      direction: 'debit',
      amount: 12_000_000,
      category: 'rent',
      counterparty: 'LANDLORD PROPERTIES',
      narration: 'NIP/LANDLORD PROPERTIES/RENT',
      rail: 'NIP',
    });
    push(5, {
      direction: 'debit',
      amount: 1_500_000,
      category: 'utilities',
      counterparty: 'IKEJA ELECTRIC',
      narration: 'BILLS/IKEJA ELECTRIC/PREPAID',
      rail: 'BILLS',
    });
    push(10, {
      direction: 'credit',
      amount: 4_000_000,
      category: 'transfer_in',
      counterparty: 'JOHN DOE',
      narration: 'NIP/JOHN DOE/monthly support',
      rail: 'NIP',
    });
    push(12, {
      direction: 'debit',
      amount: 2_000_000,
      category: 'card_pos',
      counterparty: 'SHOPRITE',
      narration: 'POS/SHOPRITE "LEKKI", LAGOS',
      rail: 'POS',
    });
    push(15, {
      direction: 'debit',
      amount: 500_000,
      category: 'betting_stake',
      counterparty: 'BET9JA',
      narration: 'WEB/BET9JA/stake',
      rail: 'WEB',
    });
    push(19, {
      direction: 'debit',
      amount: 2_500_000,
      category: 'card_pos',
      counterparty: 'JUMIA',
      narration: 'WEB/JUMIA\nORDER 123',
      rail: 'WEB',
    });
    push(25, {
      direction: 'credit',
      amount: 35_000_000,
      category: 'salary',
      counterparty: 'ACME NIGERIA LTD',
      narration: 'NIP/ACME NIGERIA LTD/SALARY',
      rail: 'NIP',
    });
    push(27, {
      direction: 'debit',
      amount: 3_000_000,
      category: 'loan_repayment',
      counterparty: 'FAIRMONEY',
      narration: 'NIP/FAIRMONEY MFB/LOAN REPAYMENT',
      rail: 'NIP',
    });
    push(28, {
      direction: 'debit',
      amount: 6_000_000,
      category: 'cash_withdrawal',
      counterparty: null,
      narration: 'ATM WDL/GTB IKEJA',
      rail: 'ATM',
    });
  }
  // One overdrawn spell: a large transfer out before salary, back above zero when it lands.
  const months = [...new Set(txs.map((t) => t.date.slice(0, 7)))];
  const dip = months[months.length - 2];
  const sorted = txs.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  if (!dip) return sorted;
  const dipDate = `${dip}-22`;
  const before = sorted
    .filter((t) => t.date <= dipDate)
    .reduce((b, t) => b + (t.direction === 'credit' ? t.amount : -t.amount), OPENING_BALANCE);
  const at = sorted.findIndex((t) => t.date > dipDate);
  const dipTx: Tx = {
    date: dipDate,
    direction: 'debit',
    amount: before + 10_000_000,
    category: 'transfer_out',
    counterparty: 'MAMA PUT VENTURES',
    narration: 'NIP/MAMA PUT VENTURES/goods',
    rail: 'NIP',
  };
  sorted.splice(at < 0 ? sorted.length : at, 0, dipTx);
  return sorted;
}

export async function seedBorrower(
  db: DataSource,
  opts: { fullName?: string; externalId?: string; now?: Date; reauthAccount?: boolean } = {},
): Promise<SeededBorrower> {
  const now = opts.now ?? new Date();
  const today = ymd(new Date(now.getTime() + 3_600_000));
  const borrowerId = randomUUID();
  const accountId = randomUUID();
  await db.query(`INSERT INTO borrowers (id, external_id, full_name, email, phone, bvn) VALUES ($1, $2, $3, $4, $5, $6)`, [
    borrowerId,
    opts.externalId ?? `ext-${borrowerId.slice(0, 8)}`,
    opts.fullName ?? 'Ada Obi',
    'ada.obi@example.com',
    '+2348031234567',
    '22212345678',
  ]);
  const txs = seedTransactions(today);
  let bal = OPENING_BALANCE;
  const ids: string[] = [];
  const rows = txs.map((t, k) => {
    bal += t.direction === 'credit' ? t.amount : -t.amount;
    const id = randomUUID();
    ids.push(id);
    return { ...t, id, balance: bal, providerId: `p-${k}-${id.slice(0, 8)}` };
  });
  await db.query(
    `INSERT INTO bank_accounts (id, borrower_id, mono_account_id, institution_name, account_name, account_number, account_type, currency,
       balance_minor, data_status, last_synced_at, last_ingested_at, coverage)
     VALUES ($1, $2, $3, 'GTBank', $4, '0123456789', 'SAVINGS', 'NGN', $5, 'AVAILABLE', $6, $6, $7)`,
    [
      accountId,
      borrowerId,
      `mono-${accountId.slice(0, 12)}`,
      opts.fullName ?? 'Ada Obi',
      bal,
      new Date(now.getTime() - 2 * 3_600_000),
      JSON.stringify({ completeMonths: 6, firstDate: rows[0]?.date ?? null, lastDate: rows[rows.length - 1]?.date ?? null }),
    ],
  );
  for (const r of rows) {
    await db.query(
      `INSERT INTO bank_transactions (id, account_id, provider_txn_id, fingerprint, posted_at, booking_date, direction, amount_minor, balance_minor,
         currency, narration, category, category_rule, rail, counterparty, raw, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'NGN', $10, $11, 'test.seed', $12, $13, '{}', $14, $14)`,
      [
        r.id,
        accountId,
        r.providerId,
        createHash('sha256').update(r.providerId).digest('hex'),
        `${r.date}T09:00:00.000Z`,
        r.date,
        r.direction,
        r.amount,
        r.balance,
        r.narration,
        r.category,
        r.rail,
        r.counterparty,
        new Date(now.getTime() - 3 * 3_600_000),
      ],
    );
  }
  if (opts.reauthAccount) {
    await db.query(
      `INSERT INTO bank_accounts (borrower_id, mono_account_id, institution_name, currency, data_status, reauth_required, reauth_required_at, last_synced_at)
       VALUES ($1, $2, 'Access Bank', 'NGN', 'AVAILABLE', true, $3, $3)`,
      [borrowerId, `mono-reauth-${borrowerId.slice(0, 8)}`, new Date(now.getTime() - 5 * 86_400_000)],
    );
  }
  return { borrowerId, accountId, transactionIds: ids };
}

export { addDays };

/** A supertest (superagent) body parser that keeps a binary answer (PDF, XLSX) as one Buffer. */
export function binaryBody(res: Response, cb: (err: Error | null, body: unknown) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}
