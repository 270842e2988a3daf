import type { DynamicModule, Type } from '@nestjs/common';

/**
 * The domain modules of the engine (mono, ingestion, scoring, applications, underwriting, reports…).
 * Each domain adds its module here.
 */
export const FEATURE_MODULES: Array<Type | DynamicModule> = [];
