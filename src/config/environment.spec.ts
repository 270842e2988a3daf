import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY } from '../scoring/policy/index.js';
import { AppConfig } from './app-config.js';
import { InvalidConfigurationError, validateEnvironment } from './environment.js';

describe(AppConfig.name, () => {
  it('should apply the documented defaults with no environment at all', () => {
    const config = AppConfig.fromEnvironment({});
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir.endsWith('.data')).toBe(true);
    expect(config.mono.useSandbox).toBe(true);
    expect(config.mono.sandboxPort).toBe(3100);
    expect(config.mono.baseUrl).toBe('http://127.0.0.1:3100');
    expect(config.mono.syncMinIntervalSeconds).toBe(120);
    expect(config.jobs.enabled).toBe(true);
  });

  it('should refuse a malformed PORT naming the variable', () => {
    expect(() => validateEnvironment({ PORT: 'abc' })).toThrow(InvalidConfigurationError);
    expect(() => validateEnvironment({ PORT: 'abc' })).toThrow(/PORT \("abc"\)/);
    expect(() => validateEnvironment({ PORT: '70000' })).toThrow(/PORT/);
  });

  it('should name every bad variable at once', () => {
    try {
      validateEnvironment({ PORT: '-1', SYNC_MIN_INTERVAL_SECONDS: 'soon', JOBS_ENABLED: 'maybe', DATABASE_URL: 'mysql://x' });
      throw new Error('expected a failure');
    } catch (err) {
      const message = (err as Error).message;
      for (const name of ['PORT', 'SYNC_MIN_INTERVAL_SECONDS', 'JOBS_ENABLED', 'DATABASE_URL']) expect(message).toContain(name);
    }
  });

  it('should parse API_KEYS into roles and keys', () => {
    const config = AppConfig.fromEnvironment({ API_KEYS: 'admin:aaaaaaaaaaaaaaaa1, frontend:bbbbbbbbbbbbbbbb2' });
    expect(config.seedApiKeys).toEqual([
      { role: 'admin', key: 'aaaaaaaaaaaaaaaa1' },
      { role: 'frontend', key: 'bbbbbbbbbbbbbbbb2' },
    ]);
    expect(() => validateEnvironment({ API_KEYS: 'root:aaaaaaaaaaaaaaaa1' })).toThrow(/API_KEYS/);
    expect(() => validateEnvironment({ API_KEYS: 'admin:short' })).toThrow(/API_KEYS/);
  });

  it('should switch to the real Mono API when a secret key is configured', () => {
    const config = AppConfig.fromEnvironment({ MONO_SECRET_KEY: 'live_sk_1234567890', MONO_WEBHOOK_SECRET: 'whsec-123456' });
    expect(config.mono.useSandbox).toBe(false);
    expect(config.mono.baseUrl).toBe('https://api.withmono.com');
    expect(config.mono.webhookSecret).toBe('whsec-123456');
  });

  it('should parse booleans and integers leniently but strictly', () => {
    expect(AppConfig.fromEnvironment({ JOBS_ENABLED: 'false' }).jobs.enabled).toBe(false);
    expect(AppConfig.fromEnvironment({ JOBS_ENABLED: '1' }).jobs.enabled).toBe(true);
    expect(() => validateEnvironment({ SYNC_MIN_INTERVAL_SECONDS: '1.5' })).toThrow(/SYNC_MIN_INTERVAL_SECONDS/);
  });

  it('should run the workers in every process unless told not to (npm start decides applications on its own)', () => {
    expect(AppConfig.fromEnvironment({}).workers.enabled).toBe(true);
    expect(AppConfig.forTest().workers.enabled).toBe(true);
    expect(AppConfig.forTest().jobs.enabled).toBe(false);
    expect(AppConfig.fromEnvironment({ WORKERS_ENABLED: 'false' }).workers.enabled).toBe(false);
    expect(AppConfig.fromEnvironment({}).webhooks).toMatchObject({ concurrency: 4, leaseMs: 30_000 });
    expect(AppConfig.fromEnvironment({ WEBHOOK_INBOX_CONCURRENCY: '8', WEBHOOK_LEASE_SECONDS: '60' }).webhooks).toMatchObject({
      concurrency: 8,
      leaseMs: 60_000,
    });
    expect(() => validateEnvironment({ WEBHOOK_INBOX_CONCURRENCY: '0' })).toThrow(/WEBHOOK_INBOX_CONCURRENCY/);
    expect(() => validateEnvironment({ WEBHOOK_LEASE_SECONDS: '1' })).toThrow(/WEBHOOK_LEASE_SECONDS/);
  });

  it('should decide with the shipped policy unless POLICY_FILE names a valid one, and refuse a bad file naming the problem', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-config-'));
    expect(AppConfig.forTest({}).policy).toBe(DEFAULT_POLICY);
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ ...JSON.parse(JSON.stringify(DEFAULT_POLICY)), name: 'lender-a' }));
    expect(AppConfig.forTest({ POLICY_FILE: good }).policy.name).toBe('lender-a');
    expect(() => AppConfig.forTest({ POLICY_FILE: path.join(dir, 'missing.json') })).toThrow(/POLICY_FILE .*cannot read .*ENOENT/);
    const notJson = path.join(dir, 'bad.json');
    writeFileSync(notJson, '{');
    expect(() => AppConfig.forTest({ POLICY_FILE: notJson })).toThrow(InvalidConfigurationError);
    const invalid = path.join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ ...JSON.parse(JSON.stringify(DEFAULT_POLICY)), repayment: { ...DEFAULT_POLICY.repayment, referDpd: 30, freezeDpd: 15 } }));
    expect(() => AppConfig.forTest({ POLICY_FILE: invalid })).toThrow(/repayment.referDpd must not exceed repayment.freezeDpd/);
  });
});
