import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { ReportsRepository } from '../../src/reports/reports.repository.js';
import { seedBorrower, type SeededBorrower } from '../e2e/reports-seed.js';
import { createTestDatabase } from '../support/database.js';

describe(ReportsRepository.name, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let repo: ReportsRepository;
  let seeded: SeededBorrower;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, { poolSize: 2 }));
    await ds.initialize();
    repo = new ReportsRepository(ds);
    seeded = await seedBorrower(ds, { fullName: 'Ngozi 100% Eze', externalId: 'los_ngozi_1' });
    await seedBorrower(ds, { fullName: 'Other Person', externalId: 'los-other-2' });
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('should list the rows a decision saw: seen before it and not yet removed', async () => {
    const cutoff = new Date();
    const [late, removedAfter, removedBefore] = seeded.transactionIds;
    await ds.query(`UPDATE bank_transactions SET first_seen_at = $2::timestamptz + interval '1 hour' WHERE id = $1`, [late, cutoff]);
    await ds.query(`UPDATE bank_transactions SET status = 'removed', removed_at = $2::timestamptz + interval '1 hour' WHERE id = $1`, [
      removedAfter,
      cutoff,
    ]);
    await ds.query(`UPDATE bank_transactions SET status = 'removed', removed_at = $2::timestamptz - interval '1 minute' WHERE id = $1`, [
      removedBefore,
      cutoff,
    ]);
    const seen = (await repo.listTransactions(seeded.borrowerId, { seenBy: cutoff })).map((t) => t.id);
    expect(seen).not.toContain(late);
    expect(seen).toContain(removedAfter);
    expect(seen).not.toContain(removedBefore);
    expect(seen).toHaveLength(seeded.transactionIds.length - 2);
    const active = (await repo.listTransactions(seeded.borrowerId)).map((t) => t.id);
    expect(active).toHaveLength(seeded.transactionIds.length - 2);
    expect(active).toContain(late);
  });

  it('should return booking dates as Lagos calendar strings and amounts as safe integers', async () => {
    const [t] = await repo.listTransactions(seeded.borrowerId, { ids: [seeded.transactionIds[3]] });
    expect(t.bookingDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number.isSafeInteger(t.amountMinor)).toBe(true);
    expect(t.postedAt.toISOString().slice(0, 10)).toBe(t.bookingDate);
  });

  it('should search names and external ids literally (LIKE wildcards escaped)', async () => {
    expect((await repo.searchBorrowers('100%', 0, 10)).rows.map((r) => r.fullName)).toEqual(['Ngozi 100% Eze']);
    expect((await repo.searchBorrowers('los_', 0, 10)).total).toBe(1);
    expect((await repo.searchBorrowers('', 0, 10)).total).toBe(2);
    const page2 = await repo.searchBorrowers('', 1, 1);
    expect(page2.rows).toHaveLength(1);
    expect(page2.total).toBe(2);
  });
});
