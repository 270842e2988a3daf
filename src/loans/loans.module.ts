import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module.js';
import { LoanExposureModule } from './loan-exposure.module.js';
import { BorrowerLoansController, LoansController } from './loans.controller.js';
import { LoansService } from './loans.service.js';

/**
 * The lender's own loan book (issue 14): REST for the origination/servicing system, the schedule and allocation
 * arithmetic (pure, loan-schedule.ts / loan-ledger.ts), the status table (loan-status.ts) and the outbound
 * `loan.overdue` / `loan.closed` events. Scoring reads the exposure through LoanExposureModule.
 */
@Module({
  imports: [LoanExposureModule, OutboxModule],
  controllers: [LoansController, BorrowerLoansController],
  providers: [LoansService],
  exports: [LoansService],
})
export class LoansModule {}
