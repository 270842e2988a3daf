import { BalanceSnapshotEntity } from './balance-snapshot.entity.js';
import { BankTransactionEntity } from './bank-transaction.entity.js';
import { DataQualityFindingEntity } from './data-quality-finding.entity.js';
import { IngestionRunEntity } from './ingestion-run.entity.js';
import { TransactionRevisionEntity } from './transaction-revision.entity.js';

export { BalanceSnapshotEntity, BankTransactionEntity, DataQualityFindingEntity, IngestionRunEntity, TransactionRevisionEntity };

/** The ingestion entities, registered in src/database/entities.ts. */
export const INGESTION_ENTITIES = [
  BankTransactionEntity,
  IngestionRunEntity,
  TransactionRevisionEntity,
  BalanceSnapshotEntity,
  DataQualityFindingEntity,
];
