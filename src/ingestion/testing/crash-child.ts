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
import { IngestionRepository, type StagedRows, type StagedTransaction } from '../ingestion.repository.js';
import { IngestionService } from '../ingestion.service.js';
import { ArrayBankDataSource, accountDetails } from './array-bank-data-source.js';
import { crashTestLedger } from './crash-ledger.js';

/** Says when a good part of the rows has been streamed into the (uncommitted) COPY, so the parent kills mid-COPY. */
class AnnouncingRepository extends IngestionRepository {
  override async copyNewTransactions(client: PoolClient, accountId: string, rows: StagedRows, now: Date): Promise<void> {
    async function* announce(): AsyncGenerator<readonly StagedTransaction[]> {
      let sent = 0;
      let announced = false;
      for await (const batch of rows) {
        yield batch;
        sent += batch.length;
        if (!announced && sent >= 20_000) {
          announced = true;
          process.stdout.write(`progress copying ${sent}\n`);
        }
      }
    }
    await super.copyNewTransactions(client, accountId, announce(), now);
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
