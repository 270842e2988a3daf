import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from './config/app-config.js';

export interface SandboxHandle {
  url: string;
  /** Key of its admin API (`x-sandbox-admin-key`); null when opened explicitly (MONO_SANDBOX_ADMIN_OPEN). */
  adminKey: string | null;
  /** Called once the engine listens, so the sandbox can start delivering webhooks to it. */
  attach?(app: INestApplication): Promise<void>;
  close(): Promise<void>;
}

/** Starts the built-in Mono sandbox when no MONO_SECRET_KEY is configured. */
export async function startSandboxIfConfigured(config: AppConfig): Promise<SandboxHandle | null> {
  if (!config.mono.useSandbox) return null;
  const { startSandboxForEngine } = await import('./sandbox/launch.js');
  return startSandboxForEngine(config);
}
