import { describe, expect, it } from '@jest/globals';
import { corruptTypes, FaultInjector, parseFaultConfig } from './faults.js';

function outcomes(f: FaultInjector, n: number): string[] {
  return Array.from({ length: n }, () => {
    const d = f.decide();
    return `${d.outcome.kind}:${d.latencyMs}`;
  });
}

describe(FaultInjector.name, () => {
  it('should repeat the same decisions for the same seed and configuration', () => {
    const a = new FaultInjector();
    const b = new FaultInjector();
    const config = { errorRate: 0.2, rateLimitRate: 0.1, timeoutRate: 0.05, malformedRate: 0.1, latencyJitterMs: 30, seed: 77 };
    a.set(config);
    b.set(config);
    expect(outcomes(a, 200)).toEqual(outcomes(b, 200));
    a.set(config);
    const again = outcomes(a, 200);
    b.set({ ...config, seed: 78 });
    expect(outcomes(b, 200)).not.toEqual(again);
  });

  it('should rate-limit the last `length` requests of every `every`', () => {
    const f = new FaultInjector();
    f.set({ rateLimitBurst: { every: 5, length: 2 } });
    expect(Array.from({ length: 10 }, () => f.decide().outcome.kind)).toEqual(['none', 'none', 'none', 'rate_limit', 'rate_limit', 'none', 'none', 'none', 'rate_limit', 'rate_limit']);
  });

  it('should be inactive with no settings and never fault', () => {
    const f = new FaultInjector();
    expect(f.active()).toBe(false);
    expect(new Set(outcomes(f, 50))).toEqual(new Set(['none:0']));
  });

  it('should reject rates outside [0, 1] and unknown settings', () => {
    expect(() => parseFaultConfig({ errorRate: 1.5 })).toThrow(/errorRate/);
    expect(() => parseFaultConfig({ errorRates: 0.1 })).toThrow(/unknown/);
    expect(() => parseFaultConfig({ timeoutMode: 'slow' })).toThrow(/timeoutMode/);
  });
});

describe(corruptTypes.name, () => {
  it('should turn kobo amounts and balances into decimal strings, deeply', () => {
    expect(corruptTypes({ data: [{ amount: 1200, balance: 5, narration: 'x' }], meta: { total: 1 } })).toEqual({
      data: [{ amount: '12.5', balance: '0.55', narration: 'x' }],
      meta: { total: 1 },
    });
  });
});
