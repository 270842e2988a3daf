import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from '../../src/app.module.js';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { configureApp, createEngineApp } from '../../src/bootstrap.js';
import { Clock } from '../../src/common/clock.js';
import { AppConfig } from '../../src/config/app-config.js';
import { initialisePiiKeys } from '../../src/security/pii-keys.js';
import { createTestDatabase } from './database.js';

export const TEST_KEYS = {
  frontend: 'frontend-test-key-0123456789',
  analyst: 'analyst-test-key-0123456789',
  admin: 'admin-test-key-0123456789abc',
} as const;

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  databaseUrl: string;
  /** Base URL when listening (listen: true), for real HTTP clients. */
  url: string;
  auth(role: keyof typeof TEST_KEYS): { Authorization: string };
  close(): Promise<void>;
}

/** The engine app as createEngineApp builds it, with the injected Clock replaced (time-travel over real HTTP). */
async function createEngineAppWithClock(config: AppConfig, databaseUrl: string, clock: Clock): Promise<NestExpressApplication> {
  initialisePiiKeys(config);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ config, databaseUrl })] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(PinoLogger));
  configureApp(app, config);
  return app;
}

/**
 * The engine app on its own fresh database (cloned from the migrated template), with one API key per role.
 * Pass env overrides as they would appear in the environment; `clock` replaces the injected Clock (e.g. a FixedClock).
 */
export async function createTestApp(env: Record<string, string> = {}, opts: { listen?: boolean; clock?: Clock } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = AppConfig.forTest({ LOG_LEVEL: 'warn', PORT: '0', ...env });
  const app = opts.clock
    ? await createEngineAppWithClock(config, db.url, opts.clock)
    : await createEngineApp({ config, databaseUrl: db.url, bufferLogs: true });
  await app.init();
  const keys = app.get(ApiKeysService);
  for (const [role, key] of Object.entries(TEST_KEYS)) await keys.ensureKey(role as keyof typeof TEST_KEYS, key, `test-${role}`);
  let url = '';
  if (opts.listen) {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
  }
  return {
    app,
    config,
    databaseUrl: db.url,
    url,
    auth: (role) => ({ Authorization: `Bearer ${TEST_KEYS[role]}` }),
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
