import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { createLogger } from '../logging/logger.js';
import type { SandboxHandle } from '../sandbox-launcher.js';
import { resolveSandboxAdminKey } from './admin-key.js';
import { startSandbox } from './sandbox-server.js';

/**
 * Starts the Mono sandbox for `npm start` on MONO_SANDBOX_PORT with the engine's Mono key and webhook secret. State
 * is kept in DATA_DIR/sandbox-state.json so linked accounts survive a restart. Webhooks queue until `attach()` (the
 * engine listens), then go to the engine's `/webhooks/mono`.
 */
export async function startSandboxForEngine(config: AppConfig): Promise<SandboxHandle | null> {
  const log = createLogger(config.logLevel).child({ component: 'mono-sandbox' });
  const admin = resolveSandboxAdminKey(config);
  if (admin.file) log.info({ file: admin.file }, `sandbox admin API key (header x-sandbox-admin-key) is in ${admin.file}`);
  else if (admin.key === null) log.warn({}, 'sandbox admin API open without a key (MONO_SANDBOX_ADMIN_OPEN=true)');
  const sandbox = await startSandbox({
    port: config.mono.sandboxPort,
    // Loopback by default: the sandbox serves identities; its admin API needs its own key unless opened explicitly.
    host: config.mono.sandboxHost,
    adminKey: admin.key,
    secretKey: config.mono.secretKey,
    webhookSecret: config.mono.webhookSecret,
    // Links are opened in a browser: localhost (the docker port mapping) rather than the listen address.
    publicUrl: config.mono.sandboxPort === 0 ? undefined : `http://localhost:${config.mono.sandboxPort}`,
    stateFile: path.join(config.database.dataDir, 'sandbox-state.json'),
    // Mono's own limits (2 min manual sync, 5 min real-time window: the sandbox defaults), never the engine's
    // SYNC_MIN_INTERVAL_SECONDS — that is our client-side guard, and the sandbox must answer the way Mono would.
    logger: log,
  });
  return {
    url: sandbox.url,
    adminKey: admin.key,
    attach: async (app) => {
      const address = (app.getHttpServer() as Server).address() as AddressInfo | null;
      sandbox.setWebhookTarget(`http://127.0.0.1:${address?.port ?? config.port}/webhooks/mono`);
    },
    close: () => sandbox.close(),
  };
}
