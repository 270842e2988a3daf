import { describe, expect, it } from '@jest/globals';
import { bucketFreshness, bucketLimits, median } from './portfolio-report.js';

describe(bucketLimits.name, () => {
  it('should put every limit in exactly one bucket', () => {
    const limits = [0, 1, 4_999_999, 5_000_000, 30_000_000, 100_000_000, 900_000_000];
    const buckets = bucketLimits(limits);
    expect(buckets.map((b) => b.count)).toEqual([1, 2, 1, 0, 1, 0, 2]);
    expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(limits.length);
  });
});

describe(bucketFreshness.name, () => {
  it('should bucket hours since sync and count never-synced accounts', () => {
    expect(bucketFreshness([1, 23.9, 24, 100, 800, null]).map((b) => [b.label, b.count])).toEqual([
      ['under 24h', 2],
      ['1–3 days', 1],
      ['3–7 days', 1],
      ['7–30 days', 0],
      ['over 30 days', 1],
      ['never synced', 1],
    ]);
  });
});

describe(median.name, () => {
  it('should round an even median down to whole kobo', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2])).toBe(1);
    expect(median([])).toBeNull();
  });
});
