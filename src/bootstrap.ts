import fs from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import { AppConfig, ROLES } from './config/app-config.js';
import { createValidationPipe } from './common/errors/validation.js';
import { swaggerFreshIdempotencyKey } from './applications/dto/idempotency-key.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './database/embedded-postgres.js';
import { createLogger } from './logging/logger.js';
import { startSandboxIfConfigured, type SandboxHandle } from './sandbox-launcher.js';
import { initialisePiiKeys } from './security/pii-keys.js';
import helmet from 'helmet';
import { inputLimits } from './common/http/input-limits.js';
import { noStore } from './common/http/no-store.js';

export const API_TITLE = 'Mono underwriting engine';

/** Builds the Nest application (not listening yet) with the global pipes, docs and limits. */
export async function createEngineApp(opts: AppModuleOptions & { bufferLogs?: boolean }): Promise<NestExpressApplication> {
  initialisePiiKeys(opts.config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(opts), {
    bufferLogs: opts.bufferLogs ?? true,
    bodyParser: false,
    // A failure while building the app (database unreachable, another lender's database) is thrown to the caller —
    // main.ts turns a configuration error into exit 78 — instead of Nest's default process.abort().
    abortOnError: false,
  });
  app.useLogger(app.get(PinoLogger));
  configureApp(app, opts.config);
  return app;
}

export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.use(
    helmet({
      contentSecurityPolicy: {
        // No inline scripts anywhere (the analyst pages have none; Swagger UI loads its init script as a file).
        // Inline styles stay allowed (the analyst pages' SVG charts and Swagger UI use them); nothing loads from
        // elsewhere.
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins, allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'], maxAge: 600 });
  }
  // No response is cached by a browser or proxy: borrowers, applications, transactions, reports and the analyst
  // pages carry PII, and so can an error. Routes may relax it for static assets (the analyst stylesheet); the API
  // docs are exempt.
  app.use(noStore());
  // Body size per route, media type, JSON depth, NUL and lone surrogates: all before any parser (src/common/http).
  app.use(inputLimits());
  app.useGlobalPipes(createValidationPipe());
  app.set('trust proxy', false);
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs/openapi.json',
    swaggerOptions: { requestInterceptor: swaggerFreshIdempotencyKey },
  });
}

/** The OpenAPI document served at /docs/openapi.json (and written by `npm run openapi`). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(API_TITLE)
      .setDescription(
        'Underwriting on synced bank data (Mono). Amounts are integer kobo with a currency. Authenticate with `Authorization: Bearer <API key>`.',
      )
      .setVersion('1')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key',
        description: 'An API key from `npm run api-key` (or the dev keys printed at start): `Authorization: Bearer <key>`',
      })
      .build(),
  );
}

export interface RunningEngine {
  app: INestApplication;
  url: string;
  databaseUrl: string;
  sandbox: SandboxHandle | null;
  close(): Promise<void>;
}

/** Starts everything `npm start` needs: Postgres (embedded unless DATABASE_URL), the Mono sandbox (unless a key is set), the API. */
export async function startEngine(config: AppConfig): Promise<RunningEngine> {
  const log = createLogger(config.logLevel);
  let embedded: EmbeddedPostgresHandle | null = null;
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    log.info({ dataDir: config.database.dataDir }, 'starting embedded Postgres');
    embedded = await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.embeddedPort });
    databaseUrl = embedded.url;
  }
  let sandbox: SandboxHandle | null = null;
  let app: NestExpressApplication | null = null;
  try {
    sandbox = await startSandboxIfConfigured(config);
    // MONO_SANDBOX_PORT=0: the sandbox took a free port, so the Mono client follows it (unless MONO_BASE_URL is set).
    if (sandbox && config.mono.sandboxPort === 0 && config.mono.baseUrl === 'http://127.0.0.1:0')
      config = config.withMonoBaseUrl(sandbox.url);
    app = await createEngineApp({ config, databaseUrl });
    await app.listen(config.port, '0.0.0.0');
    await sandbox?.attach?.(app);
    await ensureDevKeys(app, config, log);
  } catch (err) {
    await app?.close().catch(() => undefined);
    await sandbox?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw err;
  }
  // The bound port (PORT=0 asks the OS for a free one).
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  log.info(
    {
      api: url,
      docs: `${url}/docs`,
      health: `${url}/health`,
      analyst: `${url}/analyst`,
      sandbox: sandbox?.url ?? null,
      database: embedded ? 'embedded' : 'external',
    },
    `engine listening: API ${url}, docs ${url}/docs, health ${url}/health, analyst pages ${url}/analyst${sandbox ? `, Mono sandbox ${sandbox.url}` : ''}`,
  );
  const running = app;
  let closed = false;
  return {
    app: running,
    url,
    databaseUrl,
    sandbox,
    close: async () => {
      if (closed) return;
      closed = true;
      await running.close();
      await sandbox?.close();
      await embedded?.stop();
    },
  };
}

/** With no key configured at all, mint one per role so a newcomer can call the API; written to DATA_DIR, never logged. */
async function ensureDevKeys(app: INestApplication, config: AppConfig, log: ReturnType<typeof createLogger>): Promise<void> {
  if (config.seedApiKeys.length > 0 || config.nodeEnv === 'production') return;
  const keys = app.get(ApiKeysService);
  const file = path.join(config.database.dataDir, 'api-keys.json');
  if ((await keys.countActive()) > 0 && fs.existsSync(file)) {
    log.info({ file }, `API keys for local use are in ${file}`);
    return;
  }
  const created: Record<string, string> = {};
  for (const role of ROLES) created[role] = (await keys.create(role, `local-${role}`)).key;
  fs.mkdirSync(config.database.dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(created, null, 2) + '\n', { mode: 0o600 });
  log.info({ file }, `no API_KEYS configured: created one key per role in ${file}`);
}
