import type { FaultInjector } from './faults.js';
import type { SandboxBank } from './sandbox-bank.js';
import type { SandboxStore } from './sandbox-store.js';
import type { SandboxLogger, SandboxTimings } from './types.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';

/** What the route modules share. */
export interface SandboxContext {
  bank: SandboxBank;
  store: SandboxStore;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  timings: SandboxTimings;
  secretKey: string;
  now(): Date;
  publicUrl(): string;
  log: SandboxLogger;
  /** Sockets held by the hang fault, destroyed on close. */
  hungSockets: Set<import('node:net').Socket>;
}
