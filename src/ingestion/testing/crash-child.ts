/**
 * Child process of the ingestion crash test (test/integration/ingestion-crash.int-spec.ts): ingests a large
 * deterministic history through the real IngestionService and announces each database phase on stdout, so the
 * parent can kill -9 it in the middle of the transaction.
 *
 *   node --import @swc-node/register/esm-register src/ingestion/testing/crash-child.ts <databaseUrl> <accountId> <monoId> <count> <nowIso>
 */
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { FixedClock } from '../../common/clock.js';
import { AppConfig } from '../../config/app-config.js';
import { dataSourceOptions } from '../../database/data-source-options.js';
import { IngestionRepository, type StagedTransaction } from '../ingestion.repository.js';
import { IngestionService } from '../ingestion.service.js';
import { ArrayBankDataSource, accountDetails } from './array-bank-data-source.js';
import { crashTestLedger } from './crash-ledger.js';

class AnnouncingRepository extends IngestionRepository {
  override async stageFetched(client: PoolClient, rows: readonly StagedTransaction[]): Promise<void> {
    process.stdout.write(`progress staging ${rows.length}\n`);
    await super.stageFetched(client, rows);
  }

  override async copyNewTransactions(client: PoolClient, accountId: string, rows: readonly StagedTransaction[], now: Date): Promise<void> {
    process.stdout.write(`progress copying ${rows.length}\n`);
    await super.copyNewTransactions(client, accountId, rows, now);
  }

  override async upsertStaged(client: PoolClient, p: { accountId: string; now: Date }): Promise<{ inserted: number; updated: number }> {
    process.stdout.write('progress upserting\n');
    return super.upsertStaged(client, p);
  }
}

async function main(): Promise<void> {
  const [databaseUrl, accountId, monoId, count, nowIso] = process.argv.slice(2);
  const ds = new DataSource(dataSourceOptions(databaseUrl, { poolSize: 2, applicationName: 'ingestion-crash-child' }));
  await ds.initialize();
  const source = new ArrayBankDataSource().set(monoId, {
    details: accountDetails(monoId, 'ADA OBI'),
    balanceMinor: null,
    transactions: crashTestLedger(Number(count), nowIso),
  });
  const service = new IngestionService(
    ds,
    AppConfig.forTest({ LOG_LEVEL: 'warn' }),
    new FixedClock(new Date(nowIso)),
    source,
    new AnnouncingRepository(),
  );
  const result = await service.ingestAccount(accountId, { trigger: 'connect' });
  process.stdout.write(`done ${result.inserted}\n`);
  await ds.destroy();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
