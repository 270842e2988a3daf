import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExplainedTransaction } from './explain.js';
import type { UnderwritingOutput } from './output.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = join(root, 'test/fixtures/personas/salaried_monthly.json');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--no-warnings', '--import', '@swc-node/register/esm-register', 'scripts/underwrite.ts', ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 60_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/underwrite.ts', () => {
  it('should print one JSON object with the contract fields for a Mono export', () => {
    const r = cli(['--input', fixture, '--json', '--amount', '50000000', '--tenor', '6']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as UnderwritingOutput;
    expect(out.decision).toBe('approve');
    expect(Number.isInteger(out.recommendedLimit)).toBe(true);
    expect(Number.isInteger(out.income.monthlyEstimate)).toBe(true);
    expect(Number.isInteger(out.obligations.monthlyTotal)).toBe(true);
    expect(out.income.streams.length).toBeGreaterThan(0);
    expect(Array.isArray(out.flags)).toBe(true);
    expect(out.reasons.every((x) => typeof x.code === 'string' && typeof x.message === 'string')).toBe(true);
    expect(out.coverage.months).toBe(12);
    expect(out.asOf).toBe('2026-10-31'); // day after the last transaction, not the clock
    expect(out.policyVersion).toMatch(/^default@\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
    expect(out.engineVersion).toBe('1.4.0');
    expect(out.requested?.amount).toBe(50_000_000);
    expect(out.cashFlow.months).toHaveLength(6);
  });

  it('should add every row with its treatment under --explain (integer kobo; counted exactly the rows behind counted income)', () => {
    const r = cli(['--input', fixture, '--json', '--explain']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as UnderwritingOutput & { transactions: ExplainedTransaction[] };
    expect(out.transactions).toHaveLength(out.coverage.transactionCount);
    for (const t of out.transactions) {
      expect(Object.keys(t).sort()).toEqual(
        [
          'accountId',
          'amount',
          'category',
          'counterparty',
          'counterpartyKey',
          'counterpartyKind',
          'countedAsIncome',
          'date',
          'direction',
          'id',
          'rule',
          'treatment',
        ].sort(),
      );
      expect(Number.isSafeInteger(t.amount) && t.amount > 0).toBe(true);
      if (t.direction === 'debit') expect(t.countedAsIncome).toBe(false);
    }
    const counted = new Set(
      out.income.streams.filter((s) => s.weight !== '0.00' && s.frequency !== 'irregular').flatMap((s) => s.transactionIds),
    );
    expect(out.income.irregularMonthly).toBe(0);
    expect(new Set(out.transactions.filter((t) => t.countedAsIncome).map((t) => t.id))).toEqual(counted);
    const salary = out.transactions.filter((t) => counted.has(t.id));
    expect(salary.every((t) => t.treatment === 'stream:S1' && t.category === 'salary')).toBe(true);
    // The family transfers this persona receives: individuals, not counted.
    const p2p = out.transactions.filter((t) => t.treatment === 'person_to_person');
    expect(p2p).toHaveLength(out.income.personToPersonExcluded!.credits);
    expect(p2p.every((t) => t.counterpartyKind === 'person' && !t.countedAsIncome && t.direction === 'credit')).toBe(true);
    expect(p2p.reduce((a, t) => a + t.amount, 0)).toBe(out.income.personToPersonExcluded!.amount);
    // Without --explain the contract shape carries no rows.
    expect('transactions' in (JSON.parse(cli(['--input', fixture, '--json']).stdout) as object)).toBe(false);
    expect(cli(['--input', fixture, '--explain']).status).toBe(2);
  });

  it('should print a readable summary without --json', () => {
    const r = cli(['--input', fixture]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Decision:');
    expect(r.stdout).toContain('₦');
  });

  it('should fail with a clear message and a non-zero exit for a bad file or bad arguments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'underwrite-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    const r1 = cli(['--input', bad, '--json']);
    expect(r1.status).toBe(3);
    expect(r1.stderr).toContain('is not valid JSON');
    expect(r1.stdout).toBe('');
    const notMono = join(dir, 'not-mono.json');
    writeFileSync(notMono, JSON.stringify({ hello: 'world' }));
    const r2 = cli(['--input', notMono, '--as-of', '2026-10-31', '--json']);
    expect(r2.status).toBe(3);
    expect(r2.stderr).toContain('not a Mono export');
    const r3 = cli(['--json']);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toContain('--input FILE is required');
    const r4 = cli(['--input', fixture, '--amount', '100']);
    expect(r4.status).toBe(2);
  });
});
