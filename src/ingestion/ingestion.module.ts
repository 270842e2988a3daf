import { Module } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { BANK_DATA_SOURCE, type BankDataSource } from './bank-data-source.js';
import { BorrowerDataService } from './borrower-data.service.js';
import { IngestionController } from './ingestion.controller.js';
import { IngestionEventsHandler } from './ingestion.events.js';
import { IngestionRepository } from './ingestion.repository.js';
import { IngestionService } from './ingestion.service.js';
import { TransactionsQueryService } from './transactions-query.service.js';

const unavailable = (): never => {
  throw new DomainError('MONO_UNAVAILABLE', 'no bank data source is configured');
};

/** Placeholder until MonoModule is wired: every call fails as "Mono unavailable" (and the run is recorded failed). */
const NO_SOURCE: BankDataSource = { getAccount: unavailable, getBalance: unavailable, getTransactions: unavailable };

@Module({
  controllers: [IngestionController],
  providers: [
    IngestionRepository,
    IngestionService,
    IngestionEventsHandler,
    BorrowerDataService,
    TransactionsQueryService,
    { provide: BANK_DATA_SOURCE, useValue: NO_SOURCE },
  ],
  exports: [IngestionService, BorrowerDataService, TransactionsQueryService],
})
export class IngestionModule {}
