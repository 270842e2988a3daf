/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are untyped JSON read from the wire */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AppConfig } from '../../src/config/app-config.js';
import { startSandboxForEngine } from '../../src/sandbox/launch.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/sandbox-server.js';

const KEY = 'test_sk_sandbox_e2e_0003';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function call(base: string, method: string, p: string, opts: { body?: unknown; admin?: boolean } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!opts.admin) headers['mono-sec-key'] = KEY;
  const res = await fetch(base + p, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, text };
}

describe('Mono sandbox: faults', () => {
  let sandbox: SandboxServer;
  let accountId: string;
  const mono = (p: string) => call(sandbox.url, 'GET', p);
  const admin = (method: string, p: string, body?: unknown) => call(sandbox.url, method, p, { body, admin: true });

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, secretKey: KEY, webhookSecret: 'whsec_faults_0003', linkProcessingMs: [0, 0], logger: quiet });
    const created = JSON.parse(
      (await admin('POST', '/sandbox/accounts', { account: { name: 'FAULT USER' }, transactions: [{ amount: 1000, type: 'credit', date: '2026-10-01T00:00:00Z' }] })).text,
    );
    accountId = JSON.parse((await call(sandbox.url, 'POST', '/v2/accounts/auth', { body: { code: created.code } })).text).data.id;
    await sandbox.deliverPendingWebhooks();
    await mono(`/v2/accounts/${accountId}`); // completes processing
  });

  afterEach(async () => {
    await admin('DELETE', '/sandbox/faults');
  });

  afterAll(async () => {
    await sandbox.close();
  });

  async function statuses(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await mono(`/v2/accounts/${accountId}/balance`)).status);
    return out;
  }

  it('should give the same fault sequence for the same seed, and a different one for another seed', async () => {
    const config = { errorRate: 0.3, rateLimitRate: 0.2, seed: 1234 };
    expect((await admin('POST', '/sandbox/faults', config)).status).toBe(200);
    const first = await statuses(40);
    await admin('POST', '/sandbox/faults', config);
    const second = await statuses(40);
    expect(second).toEqual(first);
    expect(first.some((s) => s >= 500)).toBe(true);
    expect(first).toContain(429);
    expect(first).toContain(200);
    await admin('POST', '/sandbox/faults', { ...config, seed: 99 });
    expect(await statuses(40)).not.toEqual(first);
  });

  it('should answer 429 bursts exactly: the last `length` of every `every` requests', async () => {
    await admin('POST', '/sandbox/faults', { rateLimitBurst: { every: 4, length: 2 } });
    expect(await statuses(8)).toEqual([200, 200, 429, 429, 200, 200, 429, 429]);
    await statuses(2);
    const err = await mono(`/v2/accounts/${accountId}/balance`);
    expect(err.status).toBe(429);
    expect(JSON.parse(err.text)).toMatchObject({ status: 'failed', data: null });
  });

  it('should never apply faults to the admin API', async () => {
    await admin('POST', '/sandbox/faults', { errorRate: 1, seed: 3 });
    expect((await mono(`/v2/accounts/${accountId}`)).status).toBeGreaterThanOrEqual(500);
    for (let i = 0; i < 5; i++) expect((await admin('GET', `/sandbox/accounts/${accountId}`)).status).toBe(200);
  });

  it('should send malformed bodies: invalid JSON or amounts as decimal strings', async () => {
    await admin('POST', '/sandbox/faults', { malformedRate: 1, seed: 5 });
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await mono(`/v2/accounts/${accountId}/transactions`);
      expect(r.status).toBe(200);
      try {
        const body = JSON.parse(r.text);
        expect(typeof body.data[0].amount).toBe('string');
        seen.add('wrong_types');
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        seen.add('invalid_json');
      }
    }
    expect([...seen].sort()).toEqual(['invalid_json', 'wrong_types']);
    const calls = JSON.parse((await admin('GET', `/sandbox/accounts/${accountId}/calls`)).text).calls;
    expect(calls.at(-1).fault).toMatch(/^malformed_/);
  });

  it('should drop the connection under the timeout fault and record it', async () => {
    await admin('POST', '/sandbox/faults', { timeoutRate: 1, timeoutMode: 'destroy' });
    await expect(mono(`/v2/accounts/${accountId}/balance`)).rejects.toThrow();
    await admin('POST', '/sandbox/faults', { timeoutRate: 1, timeoutMode: 'hang', timeoutHangMs: 50 });
    await expect(mono(`/v2/accounts/${accountId}/balance`)).rejects.toThrow();
    const calls = JSON.parse((await admin('GET', `/sandbox/accounts/${accountId}/calls`)).text).calls;
    expect(calls.slice(-2).map((c: any) => [c.status, c.fault])).toEqual([
      [null, 'timeout_destroy'],
      [null, 'timeout_hang'],
    ]);
  });

  it('should reject invalid fault and config settings with 400', async () => {
    expect((await admin('POST', '/sandbox/faults', { errorRate: 2 })).status).toBe(400);
    expect((await admin('POST', '/sandbox/faults', { nonsense: true })).status).toBe(400);
    expect((await admin('POST', '/sandbox/faults', { rateLimitBurst: { every: 2, length: 3 } })).status).toBe(400);
    expect((await admin('POST', '/sandbox/config', { webhookDelayMs: [10, 1] })).status).toBe(400);
    expect(JSON.parse((await admin('GET', '/sandbox/faults')).text)).toMatchObject({ errorRate: 0, rateLimitBurst: null });
  });
});

describe('Mono sandbox: state file and launch', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-state-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should keep linked accounts, used codes and pending activity across a restart', async () => {
    const stateFile = path.join(dir, 'state.json');
    const opts = { port: 0, secretKey: KEY, webhookSecret: 'whsec_state_0003', stateFile, linkProcessingMs: [0, 0] as [number, number], logger: quiet };
    const first = await startSandbox(opts);
    let accountId: string;
    let code: string;
    try {
      const created = JSON.parse((await call(first.url, 'POST', '/sandbox/accounts', { admin: true, body: { account: { name: 'PERSISTED USER', balance: 5000 } } })).text);
      code = created.code;
      accountId = JSON.parse((await call(first.url, 'POST', '/v2/accounts/auth', { body: { code } })).text).data.id;
      await call(first.url, 'GET', `/v2/accounts/${accountId}`);
      await call(first.url, 'POST', `/sandbox/accounts/${accountId}/transactions`, { admin: true, body: { transactions: [{ amount: 700, type: 'credit', date: '2026-11-01T00:00:00Z' }] } });
    } finally {
      await first.close();
    }
    const second = await startSandbox(opts);
    try {
      const details = await call(second.url, 'GET', `/v2/accounts/${accountId}`);
      expect(details.status).toBe(200);
      expect(JSON.parse(details.text).data.account).toMatchObject({ name: 'PERSISTED USER', balance: 5000 });
      expect((await call(second.url, 'POST', '/v2/accounts/auth', { body: { code } })).status).toBe(400);
      expect(JSON.parse((await call(second.url, 'POST', `/accounts/${accountId}/sync`)).text)).toMatchObject({ code: 'SYNC_SUCCESSFUL', hasNewData: true });
      expect(JSON.parse((await call(second.url, 'GET', `/v2/accounts/${accountId}/balance`)).text).data.balance).toBe(5700);
    } finally {
      await second.close();
    }
  });

  it('should start for the engine from its config, with state in DATA_DIR and webhooks held until attach', async () => {
    const config = AppConfig.forTest({ MONO_SANDBOX_PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const handle = await startSandboxForEngine(config);
    expect(handle).not.toBeNull();
    try {
      const r = await fetch(`${handle!.url}/v2/accounts`, { headers: { 'mono-sec-key': config.mono.secretKey } });
      expect(r.status).toBe(200);
      // The admin API needs its own key (generated into DATA_DIR, owner-only); its OpenAPI stays readable.
      const keyFile = path.join(dir, 'sandbox-admin-key.json');
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      const adminKey = (JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { key: string }).key;
      expect(handle!.adminKey).toBe(adminKey);
      const wrong: Array<Record<string, string>> = [{}, { 'x-sandbox-admin-key': 'wrong-key-wrong-key-wrong' }, { 'mono-sec-key': config.mono.secretKey }];
      for (const headers of wrong) {
        const refused = await fetch(`${handle!.url}/sandbox/webhooks`, { headers });
        expect(refused.status).toBe(401);
        expect(await refused.json()).toMatchObject({ code: 'UNAUTHORIZED' });
      }
      expect((await fetch(`${handle!.url}/sandbox/openapi.json`)).status).toBe(200);
      const withKey = { 'x-sandbox-admin-key': adminKey, 'content-type': 'application/json' };
      const hooks = await fetch(`${handle!.url}/sandbox/webhooks`, { headers: withKey });
      expect((await hooks.json()).target).toBeNull();
      // Webhooks carry the webhook secret: they cannot be redirected off this machine.
      const away = await fetch(`${handle!.url}/sandbox/config`, { method: 'POST', headers: withKey, body: JSON.stringify({ webhookUrl: 'https://collector.example.net/hook' }) });
      expect(away.status).toBe(400);
      const local = await fetch(`${handle!.url}/sandbox/config`, { method: 'POST', headers: withKey, body: JSON.stringify({ webhookUrl: 'http://127.0.0.1:9/webhooks/mono' }) });
      expect(local.status).toBe(200);
    } finally {
      await handle!.close();
    }
    expect(fs.existsSync(path.join(dir, 'sandbox-state.json'))).toBe(true);
    // The same key after a restart; opened explicitly, no key.
    const again = await startSandboxForEngine(AppConfig.forTest({ MONO_SANDBOX_PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent' }));
    const open = await startSandboxForEngine(AppConfig.forTest({ MONO_SANDBOX_PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent', MONO_SANDBOX_ADMIN_OPEN: 'true' }));
    try {
      expect(again!.adminKey).toBe((JSON.parse(fs.readFileSync(path.join(dir, 'sandbox-admin-key.json'), 'utf8')) as { key: string }).key);
      expect(open!.adminKey).toBeNull();
      expect((await fetch(`${open!.url}/sandbox/webhooks`)).status).toBe(200);
    } finally {
      await again!.close();
      await open!.close();
    }
  });

  it('should refuse to serve an unauthenticated admin API on a non-loopback address unless opened explicitly', async () => {
    await expect(startSandbox({ port: 0, host: '0.0.0.0', secretKey: KEY, webhookSecret: 'whsec_faults_0003', logger: quiet })).rejects.toThrow(/refusing to serve the sandbox admin API without a key/);
    const keyed = await startSandbox({ port: 0, host: '0.0.0.0', secretKey: KEY, webhookSecret: 'whsec_faults_0003', logger: quiet, adminKey: 'an-admin-key-for-this-test' });
    try {
      expect((await fetch(`${keyed.url}/sandbox/webhooks`)).status).toBe(401);
      expect((await fetch(`${keyed.url}/sandbox/webhooks`, { headers: { 'x-sandbox-admin-key': 'an-admin-key-for-this-test' } })).status).toBe(200);
    } finally {
      await keyed.close();
    }
  });
});
