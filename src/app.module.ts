import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module.js';
import { CommonModule } from './common/common.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { AllExceptionsFilter } from './common/errors/error.filter.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { SecurityModule } from './security/security.module.js';
import { accessLogSerializers, loggerOptions } from './logging/logger.js';
import { FEATURE_MODULES } from './feature-modules.js';
import { DataSource } from 'typeorm';
import { assertLender } from './common/lender-identity.js';
import { InvalidConfigurationError } from './config/environment.js';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  /** Extra modules (tests). */
  extraModules?: Array<Type | DynamicModule>;
}

@Module({})
export class AppModule {
  static forRoot(opts: AppModuleOptions): DynamicModule {
    const { config } = opts;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            ...loggerOptions(config.logLevel),
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/health/live' },
            // No access-log line for acknowledged Mono webhooks: the inbox row is their durable record, and at
            // Mono's burst rates one line each roughly halved intake (docs/benchmarks.md, "API load"). Rejected and
            // failed webhooks are still logged, like every other request.
            customLogLevel: (req, res, err) =>
              !err && res.statusCode < 300 && req.method === 'POST' && (req.url ?? '').startsWith('/webhooks/mono') ? 'silent' : 'info',
            serializers: accessLogSerializers,
          },
        }),
        // Migrations run as the DataSource initialises; then the tenancy check (one lender per database) before
        // anything that injects the DataSource — routes, pg-boss, workers — can start.
        TypeOrmModule.forRootAsync({
          // A lender mismatch is a configuration error: no connection retries for it.
          useFactory: () => ({
            ...dataSourceOptions(opts.databaseUrl),
            migrationsRun: true,
            toRetry: (err: unknown) => !(err instanceof InvalidConfigurationError),
          }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            try {
              await assertLender(dataSource, config.lenderId);
            } catch (err) {
              await dataSource.destroy();
              throw err;
            }
            return dataSource;
          },
        }),
        CommonModule,
        JobsModule,
        AuthModule,
        SecurityModule,
        HealthModule,
        ...FEATURE_MODULES,
        ...(opts.extraModules ?? []),
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
