/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are untyped JSON read from the wire */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type SandboxServer } from '../../src/sandbox/sandbox-server.js';
import { createTestApp, type TestApp } from '../support/app.js';

const KEY = 'test_sk_sandbox_engine_0004';
const SECRET = 'whsec_sandbox_engine_0004';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function deliveries(sandbox: SandboxServer, accountId: string): Promise<any[]> {
  const res = await fetch(`${sandbox.url}/sandbox/webhooks?accountId=${accountId}`);
  return ((await res.json())).deliveries;
}

/** The account's deliveries once `count` exist and none is pending (awaited on the in-process dispatcher), as the admin API lists them. */
async function settled(sandbox: SandboxServer, accountId: string, count: number): Promise<any[]> {
  await sandbox.state.webhooks.settled({ accountId }, count);
  return deliveries(sandbox, accountId);
}

async function link(sandbox: SandboxServer): Promise<string> {
  const created = (await (await fetch(`${sandbox.url}/sandbox/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: { name: 'ENGINE USER' } }) })).json());
  const res = await fetch(`${sandbox.url}/v2/accounts/auth`, { method: 'POST', headers: { 'content-type': 'application/json', 'mono-sec-key': KEY }, body: JSON.stringify({ code: created.code }) });
  return ((await res.json())).data.id;
}

describe('Mono sandbox → engine webhooks', () => {
  let engine: TestApp;
  let sandbox: SandboxServer;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, secretKey: KEY, webhookSecret: SECRET, webhookDelayMs: [0, 5], linkProcessingMs: [0, 0], webhookRetry: { baseMs: 10, maxMs: 20, maxAttempts: 2 }, logger: quiet });
    engine = await createTestApp({ MONO_SECRET_KEY: KEY, MONO_WEBHOOK_SECRET: SECRET, MONO_BASE_URL: sandbox.url, JOBS_ENABLED: 'false' }, { listen: true });
    sandbox.setWebhookTarget(`${engine.url}/webhooks/mono`);
  });

  afterAll(async () => {
    await sandbox.close();
    await engine.close();
  });

  it('should have the engine accept the sandbox webhooks with 200', async () => {
    const id = await link(sandbox);
    const list = await settled(sandbox, id, 2);
    expect(list.map((d) => [d.event, d.status, d.attempts.at(-1).status])).toEqual([
      ['mono.events.account_connected', 'delivered', 200],
      ['mono.events.account_updated', 'delivered', 200],
    ]);
  });

  it('should see the engine refuse webhooks signed with another secret', async () => {
    const other = await startSandbox({ port: 0, secretKey: KEY, webhookSecret: 'whsec_not_the_engines', webhookUrl: `${engine.url}/webhooks/mono`, webhookDelayMs: [0, 0], linkProcessingMs: [0, 0], webhookRetry: { baseMs: 10, maxMs: 20, maxAttempts: 2 }, logger: quiet });
    try {
      const id = await link(other);
      const list = await settled(other, id, 2);
      expect(list.every((d) => d.status === 'failed' && d.attempts.every((a: any) => a.status === 401))).toBe(true);
    } finally {
      await other.close();
    }
  });
});
