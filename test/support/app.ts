import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { createEngineApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
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

/**
 * The engine app on its own fresh database (cloned from the migrated template), with one API key per role.
 * Pass env overrides as they would appear in the environment.
 */
export async function createTestApp(env: Record<string, string> = {}, opts: { listen?: boolean } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = AppConfig.forTest({ LOG_LEVEL: 'warn', PORT: '0', ...env });
  const app = await createEngineApp({ config, databaseUrl: db.url, bufferLogs: true });
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
