import type { AppConfig } from '../config/app-config.js';
import type { SandboxHandle } from '../sandbox-launcher.js';

/** Starts the Mono sandbox on MONO_SANDBOX_PORT, delivering webhooks to this engine. (Filled in by the sandbox module.) */
export async function startSandboxForEngine(_config: AppConfig): Promise<SandboxHandle | null> {
  return Promise.resolve(null);
}
