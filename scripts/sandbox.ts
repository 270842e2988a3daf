/**
 * `npm run sandbox [-- --webhook-url http://127.0.0.1:3000/webhooks/mono] [--port 3100] [--host 0.0.0.0] [--state-file path]
 *   [--no-reauth-code] [--v2-exchange-bare] [--pagination-next-quirk]`
 * Runs the Mono sandbox alone (MONO_SANDBOX_PORT, MONO_SECRET_KEY / MONO_WEBHOOK_SECRET or the sandbox defaults).
 */
import 'reflect-metadata';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppConfig } from '../src/config/app-config.js';
import { createLogger } from '../src/logging/logger.js';
import { resolveSandboxAdminKey } from '../src/sandbox/admin-key.js';
import { startSandbox } from '../src/sandbox/sandbox-server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'webhook-url': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'state-file': { type: 'string' },
      'no-state': { type: 'boolean' },
      // Behaviours where Mono's documents disagree or are silent (docs/sandbox.md, "Remaining deviations").
      'no-reauth-code': { type: 'boolean' },
      'v2-exchange-bare': { type: 'boolean' },
      'pagination-next-quirk': { type: 'boolean' },
      // Webhooks carry the webhook secret: POST /sandbox/config may point them off this machine only with this flag.
      'allow-remote-webhooks': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write('usage: npm run sandbox -- [--webhook-url URL] [--port N] [--host H] [--state-file PATH | --no-state]\n' +
        '       [--no-reauth-code] [--v2-exchange-bare] [--pagination-next-quirk] [--allow-remote-webhooks]\n');
    return;
  }
  const config = AppConfig.fromEnvironment();
  const port = values.port !== undefined ? Number(values.port) : config.mono.sandboxPort;
  const admin = resolveSandboxAdminKey(config);
  const sandbox = await startSandbox({
    port,
    host: values.host ?? '127.0.0.1',
    secretKey: config.mono.secretKey,
    webhookSecret: config.mono.webhookSecret,
    webhookUrl: values['webhook-url'] ?? `http://127.0.0.1:${config.port}/webhooks/mono`,
    stateFile: values['no-state'] ? undefined : (values['state-file'] ?? path.join(config.database.dataDir, 'sandbox-state.json')),
    // Mono's own sync limits (2 min manual, 5 min real-time) are the sandbox's defaults, independent of the engine's
    // SYNC_MIN_INTERVAL_SECONDS (docs/sandbox.md).
    adminKey: admin.key,
    allowRemoteWebhookUrls: values['allow-remote-webhooks'] === true,
    reauthIssuesCode: !values['no-reauth-code'],
    v2ExchangeBare: values['v2-exchange-bare'] === true,
    paginationNextQuirk: values['pagination-next-quirk'] === true,
    logger: createLogger(config.logLevel).child({ component: 'mono-sandbox' }),
  });
  process.stdout.write(
    `Mono sandbox listening on ${sandbox.url}\n  mono-sec-key: ${config.mono.secretKey}\n  webhooks → ${sandbox.state.webhooks.getTarget() ?? '(none)'}\n  admin API: ${sandbox.url}/sandbox/openapi.json (header x-sandbox-admin-key: ${admin.file ? `the key in ${admin.file}` : admin.key === null ? 'none, opened by MONO_SANDBOX_ADMIN_OPEN' : 'MONO_SANDBOX_ADMIN_KEY'})\n`,
  );
  const stop = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
