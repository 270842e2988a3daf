import { describe, expect, it } from '@jest/globals';
import { normaliseMonoExport } from '../ingestion/normalise/index.js';
import { generatePersona, PERSONA_NAMES } from '../sandbox/personas/index.js';
import { BacktestAccumulator, type BacktestCase } from './backtest.js';
import { ENGINE_VERSION, validatePolicy, type Policy } from './engine/index.js';
import { DEFAULT_POLICY } from './policy/index.js';

const AS_OF = '2026-10-31';

/** Every persona as a stored decision would hold it: its exact engine input under the default policy, with a request. */
const cases: BacktestCase[] = PERSONA_NAMES.flatMap((name, k) =>
  [20_000_000, 60_000_000].map((amountMinor) => {
    const p = generatePersona(name, { asOf: AS_OF });
    const exported = [{ account: p.account, transactions: p.transactions }, ...p.extraAccounts];
    const n = normaliseMonoExport(exported.length === 1 ? exported[0] : exported, AS_OF);
    return {
      decisionId: `${name}-${amountMinor}-${k}`,
      engineVersion: ENGINE_VERSION,
      input: {
        accounts: n.accounts,
        transactions: n.transactions,
        asOf: AS_OF,
        policy: DEFAULT_POLICY,
        requestedLoan: { amountMinor, tenorMonths: 6 },
      },
    };
  }),
);

const variant = (affordability: { dsrCap: string; fcfShare: string }, version: string): Policy =>
  validatePolicy({ ...DEFAULT_POLICY, version, affordability: { ...DEFAULT_POLICY.affordability, ...affordability } });

function run(candidate: Policy) {
  const acc = new BacktestAccumulator(candidate);
  for (const c of cases) acc.add(c);
  return acc.summary();
}

describe(BacktestAccumulator.name, () => {
  it('should report zero flips and unchanged limits for the default policy against itself', () => {
    const s = run(DEFAULT_POLICY);
    expect(s.decisions).toBe(cases.length);
    expect(s.flipped).toBe(0);
    expect(s.examples).toEqual([]);
    expect(s.limits).toMatchObject({ increased: 0, decreased: 0, unchanged: cases.length, deltaMinor: 0 });
    expect(s.reasonShifts).toEqual([]);
    expect(s.grades.candidate).toEqual(s.grades.baseline);
    expect(s.approvalRate.candidate).toBe(s.approvalRate.baseline);
    expect(s.engineVersionMismatches).toBe(0);
  });

  it('should show a looser policy lending more and a tighter one less, never the other way round', () => {
    const looser = run(variant({ dsrCap: '0.5', fcfShare: '0.7' }, '9.0.1'));
    const tighter = run(variant({ dsrCap: '0.2', fcfShare: '0.3' }, '9.0.2'));
    expect(looser.limits.deltaMinor).toBeGreaterThan(0);
    expect(looser.limits.decreased).toBe(0);
    expect(Number(looser.approvalRate.candidate)).toBeGreaterThanOrEqual(Number(looser.approvalRate.baseline));
    expect(tighter.limits.deltaMinor).toBeLessThan(0);
    expect(tighter.limits.increased).toBe(0);
    expect(Number(tighter.approvalRate.candidate)).toBeLessThanOrEqual(Number(tighter.approvalRate.baseline));
    // Every flip is listed with an example, and the flip table adds up to the decisions replayed.
    for (const s of [looser, tighter]) {
      const total = Object.values(s.flips).reduce((a, row) => a + Object.values(row).reduce((b, n) => b + n, 0), 0);
      expect(total).toBe(cases.length);
      for (const e of s.examples) expect(s.flips[e.from][e.to]).toBeGreaterThan(0);
      expect(s.candidatePolicy).toMatch(/^default@9\.0\.[12]/);
      expect(s.baselinePolicy).toBe('stored');
    }
  });
});
