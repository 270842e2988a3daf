import { Module } from '@nestjs/common';
import { LoanExposureReader } from './loan-exposure.reader.js';
import { LoansRepository } from './loans.repository.js';

/** The loan book's read side for scoring (exposure), without the routes: ScoringModule imports it. */
@Module({
  providers: [LoansRepository, LoanExposureReader],
  exports: [LoanExposureReader, LoansRepository],
})
export class LoanExposureModule {}
