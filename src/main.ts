import 'reflect-metadata';
import { startEngine } from './bootstrap.js';
import { AppConfig } from './config/app-config.js';
import { InvalidConfigurationError } from './config/environment.js';
import { EmbeddedPostgresInUseError } from './database/embedded-postgres.js';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnvironment();
  } catch (err) {
    if (err instanceof InvalidConfigurationError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const engine = await startEngine(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`received ${signal}, shutting down\n`);
    engine.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  // The engine owns the shutdown order: HTTP and workers (pg-boss) stop first, then the sandbox, then the embedded
  // Postgres. embedded-postgres registers its own signal hook that stops the server at once, which would cut the
  // job system's connections while it is still stopping; only our handler stays.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(signal);
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  // A configuration problem found while starting (e.g. no PII key in production): one message, EX_CONFIG, no stack.
  if (err instanceof InvalidConfigurationError) {
    process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
    process.exit(78);
  }
  // Another live engine owns DATA_DIR's database: one line saying what to do, no stack.
  const detail = err instanceof EmbeddedPostgresInUseError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`engine failed to start: ${detail}\n`);
  process.exit(1);
});
