import { describe, expect, it } from '@jest/globals';
import { TokenBuckets } from './token-bucket.js';

describe(TokenBuckets.name, () => {
  it('should refill with time and refuse when empty, naming the wait', () => {
    const b = new TokenBuckets();
    for (let i = 0; i < 3; i++) expect(b.take('k', 3, 0)).toEqual({ ok: true });
    expect(b.take('k', 3, 0)).toEqual({ ok: false, retryAfterSeconds: 20 });
    expect(b.take('k', 3, 20_000)).toEqual({ ok: true });
  });

  it('should not drain a bucket when the clock steps back (it refills nothing until time moves on)', () => {
    const b = new TokenBuckets();
    const later = 120 * 86_400_000;
    expect(b.take('k', 60, later)).toEqual({ ok: true });
    expect(b.take('k', 60, 0)).toEqual({ ok: true });
    expect(b.available('k', 60, 0)).toBe(58);
  });
});
