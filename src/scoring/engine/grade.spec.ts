import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { riskGrade } from './grade.js';

const result = (decision: 'approve' | 'refer' | 'decline', flags: string[], postLoanDsr: string | null, dsrCap = '0.4') => ({
  decision,
  flags,
  limit: { postLoanDsr, components: { dsrCap } },
});

describe(riskGrade.name, () => {
  it('should grade declines E and referrals D whatever their figures', () => {
    expect(riskGrade(result('decline', [], '0.05')).grade).toBe('E');
    expect(riskGrade(result('refer', [], '0.05')).grade).toBe('D');
  });

  it('should add points for flags and thin headroom, every point shown', () => {
    // 0.1 of a 0.4 cap: 75 % headroom, no flags → A with 0 points.
    expect(riskGrade(result('approve', [], '0.1'))).toEqual({
      grade: 'A',
      points: 0,
      headroom: '0.7500',
      parts: [{ what: 'headroom', points: 0 }],
    });
    // existing loans (1) + 37.5 % headroom (1) → B.
    expect(riskGrade(result('approve', ['existing_loans'], '0.25'))).toMatchObject({ grade: 'B', points: 2, headroom: '0.3750' });
    // gambling (2) + informational flag (0) + 12.5 % headroom (2) → C.
    const c = riskGrade(result('approve', ['person_to_person_excluded', 'gambling'], '0.35'));
    expect(c).toMatchObject({ grade: 'C', points: 4 });
    expect(c.parts).toEqual([
      { what: 'gambling', points: 2 },
      { what: 'headroom', points: 2 },
    ]);
    // No post-loan DSR: headroom unknown, counted as thin.
    expect(riskGrade(result('approve', [], null))).toMatchObject({ grade: 'B', points: 2, headroom: null });
  });

  it('should never grade better when a flag is added or the headroom shrinks', () => {
    const flags = ['existing_loans', 'gambling', 'thin_file', 'negative_balance', 'outliers_excluded', 'stale_data'];
    const rank = (g: string) => 'ABCDE'.indexOf(g);
    fc.assert(
      fc.property(
        fc.subarray(flags),
        fc.constantFrom(...flags),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        (base, extra, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const dsr = (n: number) => (n / 100).toFixed(2);
          expect(rank(riskGrade(result('approve', [...new Set([...base, extra])], dsr(lo))).grade)).toBeGreaterThanOrEqual(
            rank(riskGrade(result('approve', base, dsr(lo))).grade),
          );
          expect(rank(riskGrade(result('approve', base, dsr(hi))).grade)).toBeGreaterThanOrEqual(
            rank(riskGrade(result('approve', base, dsr(lo))).grade),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
