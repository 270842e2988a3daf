/**
 * `npm run backtest` end to end: the CLI in its own process reads the stored decisions and their exact inputs from
 * the database and replays them under a candidate policy file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runBacktest } from '../../src/backtests/backtest-runner.js';
import type { BacktestQuery } from '../../src/backtests/backtest-source.js';
import { ScoringService } from '../../src/scoring/scoring.service.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';
import { runScript } from '../support/script-process.js';
import { closeHarnesses, count, harness, seedOriginated } from './underwriting-fixtures.js';

const SCRIPT = path.resolve('scripts/backtest.ts');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtest-'));

function cli(url: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runScript(SCRIPT, args, { DATABASE_URL: url });
}

const writePolicy = (name: string, policy: unknown): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(policy));
  return file;
};

afterAll(async () => {
  await closeHarnesses();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('backtest CLI', () => {
  it('should replay every stored decision: zero flips for the default policy, more limit under a looser one', async () => {
    const h = await harness({ env: { JOBS_ENABLED: 'false', WORKERS_ENABLED: 'false' } });
    await seedOriginated(h, 4);
    const decisions = await count(h.ds, `SELECT count(*) AS n FROM decisions`);
    expect(decisions).toBeGreaterThanOrEqual(4);

    const same = await cli(h.url, ['--policy', writePolicy('default.json', DEFAULT_POLICY)]);
    expect(same.code).toBe(0);
    const s = JSON.parse(same.stdout) as { decisions: number; flipped: number; limits: { deltaMinor: number; unchanged: number } };
    expect(s).toMatchObject({ decisions, flipped: 0, limits: { deltaMinor: 0, unchanged: decisions } });

    const looser = {
      ...DEFAULT_POLICY,
      version: '9.0.1',
      affordability: { ...DEFAULT_POLICY.affordability, dsrCap: '0.5', fcfShare: '0.7' },
    };
    const out = path.join(dir, 'looser.csv');
    const loose = await cli(h.url, ['--policy', writePolicy('looser.json', looser), '--out', out]);
    expect(loose.code).toBe(0);
    const csv = fs.readFileSync(out, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('section,key,value');
    const delta = Number(/"limits","deltaMinor","(-?\d+)"/.exec(csv)?.[1]);
    expect(delta).toBeGreaterThan(0);
    expect(loose.stderr).toMatch(new RegExp(`backtest: ${decisions} decisions`));

    // A bad policy file is one clear line and exit 2, nothing replayed.
    const bad = await cli(h.url, ['--policy', writePolicy('bad.json', { ...DEFAULT_POLICY, version: 'x' })]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/version must be a semver/);
  }, 120_000);

  it('should give the same result whether a shared stored input is replayed once or for every decision, inline or on workers', async () => {
    const h = await harness({ env: { JOBS_ENABLED: 'false', WORKERS_ENABLED: 'false' } });
    const borrowers = await seedOriginated(h, 3);
    // Re-underwriting without new data: the same stored input again for each borrower (one decision_inputs row).
    const asOf = new Date();
    for (const id of borrowers) {
      for (let i = 0; i < 2; i++) await h.app.get(ScoringService).scoreBorrower(id, { trigger: 'scheduled', actor: 'test', asOf });
    }
    const decisions = await count(h.ds, `SELECT count(*) AS n FROM decisions`);
    const inputs = await count(h.ds, `SELECT count(DISTINCT inputs_hash) AS n FROM decisions`);
    expect(inputs).toBeLessThan(decisions);

    const query: BacktestQuery = (sql, params) => h.ds.query(sql, params);
    const looser = { ...DEFAULT_POLICY, version: '9.0.2', affordability: { ...DEFAULT_POLICY.affordability, dsrCap: '0.5' } };
    const outcomesAsOf = new Date();
    const run = (workers: number, reuseInputs: boolean) =>
      runBacktest({ query, candidate: looser, baseline: null, asOf: outcomesAsOf, workers, reuseInputs, from: null, to: null, batchSize: 4 });
    const once = await run(2, true);
    expect(once.decisions).toBe(decisions);
    expect(await run(0, true)).toEqual(once);
    expect(await run(0, false)).toEqual(once);
    expect(await run(2, false)).toEqual(once);
  }, 120_000);
});
