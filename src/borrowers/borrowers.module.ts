import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { IngestionModule } from '../ingestion/ingestion.module.js';
import { MonoModule } from '../mono/mono.module.js';
import { ScoringModule } from '../scoring/scoring.module.js';
import { BorrowerEntity } from './borrower.entity.js';
import { BorrowersController } from './borrowers.controller.js';
import { BorrowersRepository } from './borrowers.repository.js';
import { BorrowersService } from './borrowers.service.js';

/** Borrowers, linking their bank accounts, their transactions and decision history (REST for the frontend). */
@Module({
  imports: [TypeOrmModule.forFeature([BorrowerEntity, BankAccountEntity]), MonoModule, IngestionModule, ScoringModule],
  controllers: [BorrowersController],
  providers: [BorrowersRepository, BorrowersService],
  exports: [BorrowersService],
})
export class BorrowersModule {}
