import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';

/**
 * The one source of truth for TypeORM options, used by the app, the migration CLI and the tests.
 * Never `synchronize`: the schema comes from migrations only.
 */
export function dataSourceOptions(url: string, overrides: Partial<{ poolSize: number; applicationName: string }> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: overrides.poolSize ?? 10,
      application_name: overrides.applicationName ?? 'underwriting-engine',
    },
  };
}
