import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { FixedClock } from '../../src/common/clock.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { transactionFingerprint } from '../../src/ingestion/fingerprint.js';
import { IngestionRepository } from '../../src/ingestion/ingestion.repository.js';
import { IngestionService } from '../../src/ingestion/ingestion.service.js';
import { ArrayBankDataSource, accountDetails } from '../../src/ingestion/testing/array-bank-data-source.js';
import { crashTestLedger } from '../../src/ingestion/testing/crash-ledger.js';
import { createTestDatabase } from '../support/database.js';

const COUNT = 150_000;
const NOW = '2025-11-20T12:00:00.000Z';

/** Resolves with the child once it printed a line starting with `marker`. */
function waitForLine(child: ChildProcess, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    lines.on('line', (line) => {
      if (line.startsWith(marker)) resolve(line);
    });
    child.on('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before "${marker}": ${stderr.slice(-2000)}`)));
  });
}

describe(`${IngestionService.name} crash safety`, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, { poolSize: 3 }));
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('should end with exactly the source rows after a kill -9 in the middle of a large ingestion and a re-run', async () => {
    const [{ id: borrowerId }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO borrowers (external_id, full_name, email) VALUES ('crash', 'Ada Obi', 'a@example.com') RETURNING id`,
    );
    const [{ id: accountId }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO bank_accounts (borrower_id, mono_account_id) VALUES ($1, 'mono-crash') RETURNING id`,
      [borrowerId],
    );

    const child = spawn(
      process.execPath,
      [
        '--import',
        '@swc-node/register/esm-register',
        'src/ingestion/testing/crash-child.ts',
        db.url,
        accountId,
        'mono-crash',
        String(COUNT),
        NOW,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await waitForLine(child, 'progress copying');
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The killed transaction left nothing behind but its run row, still marked running.
    const [{ n }] = await ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM bank_transactions WHERE account_id = $1`, [
      accountId,
    ]);
    expect(n).toBe(0);
    expect(await ds.query(`SELECT status FROM ingestion_runs WHERE account_id = $1`, [accountId])).toEqual([{ status: 'running' }]);

    const rows = crashTestLedger(COUNT, NOW);
    const source = new ArrayBankDataSource().set('mono-crash', {
      details: accountDetails('mono-crash', 'ADA OBI'),
      balanceMinor: null,
      transactions: rows,
    });
    const service = new IngestionService(ds, AppConfig.forTest(), new FixedClock(new Date(NOW)), source, new IngestionRepository());
    const result = await service.ingestAccount(accountId, { trigger: 'connect' });
    expect(result).toMatchObject({ fetched: COUNT, inserted: COUNT, removed: 0 });

    const expected = createHash('md5')
      .update(
        rows
          .map((r) => `${r.providerId}|${r.amountMinor}|${r.balanceMinor ?? ''}|${r.direction}|${transactionFingerprint(r)}`)
          .sort()
          .join('\n'),
      )
      .digest('hex');
    const [stored] = await ds.query<Array<{ n: number; checksum: string }>>(
      `SELECT count(*)::int AS n,
              md5(string_agg(provider_txn_id || '|' || amount_minor || '|' || coalesce(balance_minor::text, '') || '|' || direction || '|' || fingerprint,
                             E'\\n' ORDER BY provider_txn_id || '|' || amount_minor || '|' || coalesce(balance_minor::text, '') || '|' || direction || '|' || fingerprint COLLATE "C")) AS checksum
         FROM bank_transactions WHERE account_id = $1 AND status = 'active'`,
      [accountId],
    );
    expect(stored).toEqual({ n: COUNT, checksum: expected });
  }, 300_000);
});
