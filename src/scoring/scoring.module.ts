import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BorrowerEntity } from '../borrowers/borrower.entity.js';
import { IngestionModule } from '../ingestion/ingestion.module.js';
import { LoanExposureModule } from '../loans/loan-exposure.module.js';
import { DecisionInputEntity } from './entities/decision-input.entity.js';
import { DecisionEntity } from './entities/decision.entity.js';
import { DecisionsRepository } from './decisions.repository.js';
import { ScoringService } from './scoring.service.js';
import { ShadowPolicies } from './shadow-policies.js';

/** Scoring from stored data with the pure engine, and the immutable decision records. */
@Module({
  imports: [TypeOrmModule.forFeature([DecisionEntity, DecisionInputEntity, BorrowerEntity]), IngestionModule, LoanExposureModule],
  providers: [DecisionsRepository, ScoringService, ShadowPolicies],
  exports: [ScoringService, ShadowPolicies],
})
export class ScoringModule {}
