import { Module } from '@nestjs/common';
import { BacktestsModule } from '../backtests/backtests.module.js';
import { IngestionModule } from '../ingestion/ingestion.module.js';
import { ScoringModule } from '../scoring/scoring.module.js';
import { AnalystNotesService } from './analyst-notes.service.js';
import { AnalystOverridesService } from './analyst-overrides.service.js';
import { AnalystController } from './analyst.controller.js';
import { ReportsController } from './reports.controller.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

/** Analyst reports (JSON, HTML, PDF, CSV) and the server-rendered analyst pages. Reads only; overrides go through ingestion and scoring. */
@Module({
  imports: [IngestionModule, ScoringModule, BacktestsModule],
  controllers: [ReportsController, AnalystController],
  providers: [ReportsRepository, ReportsService, AnalystOverridesService, AnalystNotesService],
  exports: [ReportsService],
})
export class ReportsModule {}
