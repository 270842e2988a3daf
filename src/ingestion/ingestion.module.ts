import { Module } from '@nestjs/common';
import { MonoClient } from '../mono/mono.client.js';
import { MonoModule } from '../mono/mono.module.js';
import { BANK_DATA_SOURCE } from './bank-data-source.js';
import { BorrowerDataService } from './borrower-data.service.js';
import { IngestionController } from './ingestion.controller.js';
import { IngestionEventsHandler } from './ingestion.events.js';
import { IngestionRepository } from './ingestion.repository.js';
import { IngestionRunsSweep } from './ingestion-runs.sweep.js';
import { IngestionService } from './ingestion.service.js';
import { TransactionsQueryService } from './transactions-query.service.js';

/**
 * Ingestion: fetch → normalise → categorise → reconcile → store. Subscribes to `account.data_available`, publishes
 * `account.ingested`; exports the read side (engine input, transaction listing, analyst recategorisation).
 */
@Module({
  imports: [MonoModule],
  controllers: [IngestionController],
  providers: [
    IngestionRepository,
    IngestionService,
    IngestionRunsSweep,
    IngestionEventsHandler,
    BorrowerDataService,
    TransactionsQueryService,
    { provide: BANK_DATA_SOURCE, useExisting: MonoClient },
  ],
  exports: [IngestionService, BorrowerDataService, TransactionsQueryService],
})
export class IngestionModule {}
