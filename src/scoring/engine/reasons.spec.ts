import { describe, expect, it } from '@jest/globals';
import { rankReasons } from './reasons.js';
import type { Reason } from './types.js';

const r = (code: string, severity: Reason['severity'], lost: number): Reason & { lost: number } => ({
  code,
  message: code,
  severity,
  values: {},
  lost,
});

describe(rankReasons.name, () => {
  it('should rank by severity, then by limit lost, then by code, and keep at most four', () => {
    const ranked = rankReasons(
      [
        r('POLICY_PRODUCT_MAX', 'info', 0),
        r('COVERAGE_HAIRCUT', 'limit', 2_000_000),
        r('FAILED_DEBITS_OR_RETURNS', 'limit', 9_000_000),
        r('INSUFFICIENT_HISTORY', 'review', 0),
        r('INCOME_NOT_DETECTED', 'blocking', 0),
        r('A_LIMIT', 'limit', 2_000_000),
      ],
      4,
    );
    expect(ranked.map((x) => x.code)).toEqual(['INCOME_NOT_DETECTED', 'INSUFFICIENT_HISTORY', 'FAILED_DEBITS_OR_RETURNS', 'A_LIMIT']);
    expect(ranked[0]).not.toHaveProperty('lost');
  });
});
