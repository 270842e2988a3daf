import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BorrowersModule } from '../borrowers/borrowers.module.js';
import { MonoModule } from '../mono/mono.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { ScoringModule } from '../scoring/scoring.module.js';
import { AdminDecisionsController } from './admin-decisions.controller.js';
import { ApplicationAccountEntity } from './application-account.entity.js';
import { ApplicationFlowService } from './application-flow.service.js';
import { ApplicationsController } from './applications.controller.js';
import { ApplicationsRepository } from './applications.repository.js';
import { ApplicationsService } from './applications.service.js';
import { ApplicationsWorker } from './applications.worker.js';
import { LoanApplicationEntity } from './loan-application.entity.js';

/** Loan applications: REST for the frontend, the status transition table and the sync-on-apply worker. */
@Module({
  imports: [
    TypeOrmModule.forFeature([LoanApplicationEntity, ApplicationAccountEntity]),
    BorrowersModule,
    MonoModule,
    ScoringModule,
    OutboxModule,
  ],
  controllers: [ApplicationsController, AdminDecisionsController],
  providers: [ApplicationsRepository, ApplicationFlowService, ApplicationsService, ApplicationsWorker],
  exports: [ApplicationsService, ApplicationsWorker],
})
export class ApplicationsModule {}
