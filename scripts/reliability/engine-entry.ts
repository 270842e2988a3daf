import 'reflect-metadata';
import { createEngineApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';

/**
 * One engine instance for the reliability and scale-out runs, in its own process: what `npm start` runs with
 * DATABASE_URL and MONO_SECRET_KEY set (no embedded Postgres, no built-in sandbox), but bound to 127.0.0.1 only.
 * Prints `ENGINE_READY <url>` on stdout once it listens; SIGTERM closes it; SIGKILL is what the crash tests send.
 */
async function main(): Promise<void> {
  const config = AppConfig.fromEnvironment();
  if (!config.database.url) throw new Error('DATABASE_URL is required');
  const app = await createEngineApp({ config, databaseUrl: config.database.url });
  await app.listen(config.port, '127.0.0.1');
  // PORT=0 lets the OS pick a free port while binding (no pick-then-bind race): the bound one is announced.
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  process.stdout.write(`ENGINE_READY http://127.0.0.1:${port}\n`);
  const stop = (): void => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`engine failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
