import type { DynamicModule, Type } from '@nestjs/common';
import { ApplicationsModule } from './applications/applications.module.js';
import { BacktestsModule } from './backtests/backtests.module.js';
import { BorrowersModule } from './borrowers/borrowers.module.js';
import { ConsentsModule } from './consents/consents.module.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import { LoansModule } from './loans/loans.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MonoModule } from './mono/mono.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { UnderwritingModule } from './underwriting/underwriting.module.js';

/**
 * The domain modules of the engine (mono, ingestion, scoring, applications, underwriting, reports…).
 * Each domain adds its module here.
 */
export const FEATURE_MODULES: Array<Type | DynamicModule> = [MetricsModule, ConsentsModule, MonoModule, IngestionModule, BorrowersModule, ApplicationsModule, ReportsModule, UnderwritingModule, LoansModule, BacktestsModule];
