import { describe, expect, it } from '@jest/globals';

import { checkBalanceContinuity, checkEmtlConsistency, orderChronologically, type LedgerRow } from './continuity.js';

let n = 0;
function row(
  postedAt: string,
  direction: 'credit' | 'debit',
  amountMinor: number,
  balanceMinor: number | null,
  narration?: string,
): LedgerRow {
  n++;
  return { providerId: `r${n}`, postedAt, direction, amountMinor, balanceMinor, ...(narration === undefined ? {} : { narration }) };
}

/** A clean chain, oldest first; callers reverse it to get Mono's newest-first order. */
function chain(): LedgerRow[] {
  return [
    row('2026-09-01T09:00:00Z', 'credit', 10_000_00, 10_000_00),
    row('2026-09-02T09:00:00Z', 'debit', 2_000_00, 8_000_00),
    row('2026-09-03T09:00:00Z', 'debit', 500_00, 7_500_00),
    row('2026-09-04T09:00:00Z', 'credit', 1_000_00, 8_500_00),
  ];
}

describe(checkBalanceContinuity.name, () => {
  it('should report nothing for a clean newest-first chain', () => {
    expect(checkBalanceContinuity('a', [...chain()].reverse(), { emtl: false })).toEqual([]);
  });

  it('should report a break with expected, actual and delta when a row is missing', () => {
    const rows = chain();
    const missing = rows.splice(2, 1)[0];
    const findings = checkBalanceContinuity('a', rows.reverse(), { emtl: false });
    expect(findings).toEqual([
      {
        accountId: 'a',
        kind: 'balance_break',
        transactionId: rows[0].providerId,
        date: '2026-09-04',
        details: {
          expectedMinor: 9_000_00,
          actualMinor: 8_500_00,
          deltaMinor: -missing.amountMinor,
          previousTransactionId: rows[1].providerId,
        },
      },
    ]);
  });

  it('should tolerate a one-kobo rounding difference', () => {
    const rows = [row('2026-09-01T09:00:00Z', 'credit', 100, 100), row('2026-09-02T09:00:00Z', 'debit', 50, 51)];
    expect(checkBalanceContinuity('a', rows, { emtl: false })).toEqual([]);
  });

  it('should reorder rows that share a timestamp before declaring a break', () => {
    const t = '2026-09-05T10:00:00Z';
    const opening = row('2026-09-01T09:00:00Z', 'credit', 10_000_00, 10_000_00);
    const salary = row(t, 'credit', 50_000_00, 60_000_00);
    const emtl = row(t, 'debit', 50_00, 59_950_00);
    const fee = row(t, 'debit', 10_75, 59_939_25);
    // newest-first as Mono sends them, but with the same-second group listed in a misleading order
    const mono = [salary, fee, emtl, opening];
    expect(checkBalanceContinuity('a', mono, { emtl: false })).toEqual([]);
    expect(orderChronologically(mono).map((r) => r.providerId)).toEqual([opening, salary, emtl, fee].map((r) => r.providerId));
  });

  it('should summarise missing balances as one finding and keep checking across them', () => {
    const rows = [
      row('2026-09-01T09:00:00Z', 'credit', 1_000, 1_000),
      row('2026-09-02T09:00:00Z', 'debit', 100, null),
      row('2026-09-03T09:00:00Z', 'debit', 100, null),
      row('2026-09-04T09:00:00Z', 'debit', 100, 700),
    ];
    const findings = checkBalanceContinuity('a', rows, { emtl: false });
    expect(findings).toEqual([
      {
        accountId: 'a',
        kind: 'missing_balance',
        transactionId: rows[1].providerId,
        date: '2026-09-02',
        details: { count: 2, total: 4, reason: 'null_balance' },
      },
    ]);
  });

  it('should treat a ledger whose balances are all zero as having no balances', () => {
    const rows = [row('2026-09-01T09:00:00Z', 'credit', 1_000, 0), row('2026-09-02T09:00:00Z', 'debit', 100, 0)];
    const findings = checkBalanceContinuity('a', rows, { emtl: false });
    expect(findings.map((f) => [f.kind, f.details.reason])).toEqual([['missing_balance', 'all_zero']]);
  });
});

describe(checkEmtlConsistency.name, () => {
  const inflow = (i: number): LedgerRow =>
    row(`2026-09-${String(i + 1).padStart(2, '0')}T09:00:00Z`, 'credit', 2_000_000, null, `NIP/GTB/EMEKA NWOSU/${i}`);
  const levy = (i: number): LedgerRow => row(`2026-09-${String(i + 1).padStart(2, '0')}T09:00:00Z`, 'debit', 5_000, null, 'EMTL-000123');

  it('should accept matching counts and ignore small inflows, reversals and interest', () => {
    const rows = [
      ...Array.from({ length: 5 }, (_, i) => inflow(i)),
      ...Array.from({ length: 5 }, (_, i) => levy(i)),
      row('2026-09-10T09:00:00Z', 'credit', 900_000, null, 'NIP/GTB/SMALL/x'),
      row('2026-09-10T09:00:00Z', 'credit', 2_000_000, null, 'REVERSAL NIP/GTB/X'),
      row('2026-09-10T09:00:00Z', 'credit', 2_000_000, null, 'CREDIT INTEREST SEP'),
    ];
    expect(checkEmtlConsistency('a', rows)).toEqual([]);
  });

  it('should flag levies that diverge beyond the tolerance, which is a parameter', () => {
    const rows = [...Array.from({ length: 10 }, (_, i) => inflow(i)), levy(0), levy(1)];
    expect(checkEmtlConsistency('a', rows)).toEqual([
      {
        accountId: 'a',
        kind: 'emtl_mismatch',
        details: { qualifyingInflows: 10, levies: 2, thresholdMinor: 1_000_000, levyMinor: 5_000, allowedDivergence: 2 },
      },
    ]);
    expect(checkEmtlConsistency('a', rows, { absoluteTolerance: 8 })).toEqual([]);
  });
});

describe(orderChronologically.name, () => {
  it('should rebuild a consistent chain when a bank stamps every row of a day at midnight in arbitrary order', () => {
    // Ten days, four rows a day, all at 00:00 of their day, listed newest-day-first but scrambled inside each day.
    const rows: LedgerRow[] = [];
    let balance = 50_000_00;
    for (let day = 1; day <= 10; day++) {
      const dayRows: LedgerRow[] = [];
      for (let k = 0; k < 4; k++) {
        const direction = (day + k) % 3 === 0 ? 'credit' : 'debit';
        const amount = 1_000_00 + day * 137 + k * 911;
        balance += direction === 'credit' ? amount : -amount;
        dayRows.push(row(`2026-09-${String(day).padStart(2, '0')}T00:00:00Z`, direction, amount, balance));
      }
      rows.unshift(...[dayRows[2], dayRows[0], dayRows[3], dayRows[1]]);
    }
    expect(checkBalanceContinuity('a', rows, { emtl: false })).toEqual([]);
  });
});
