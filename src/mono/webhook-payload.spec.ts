import { describe, expect, it } from '@jest/globals';
import { canonicalJson, eventIdOf, monoAccountIdOf, payloadHash } from './webhook-payload.js';

describe('webhook payload helpers', () => {
  it('should hash payloads independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"x":2,"y":1}]},"b":1}');
    expect(payloadHash({ event: 'e', data: { a: 1, b: 2 } })).toBe(payloadHash({ data: { b: 2, a: 1 }, event: 'e' }));
  });

  it('should find the Mono account id in every documented shape', () => {
    expect(monoAccountIdOf({ event: 'mono.events.account_connected', data: { id: 'acc1' } })).toBe('acc1');
    expect(monoAccountIdOf({ event: 'mono.events.account_updated', data: { account: { _id: 'acc2' } } })).toBe('acc2');
    expect(monoAccountIdOf({ event: 'mono.events.account_unlinked', data: { account: { id: 'acc3' } } })).toBe('acc3');
    expect(monoAccountIdOf({ event: 'mono.accounts.jobs.update', data: { account: 'acc4', id: 'job' } })).toBe('acc4');
    expect(monoAccountIdOf({ event: 'x', data: [] })).toBeNull();
  });

  it('should read event_id when present', () => {
    expect(eventIdOf({ event_id: 'evt_1' })).toBe('evt_1');
    expect(eventIdOf({})).toBeNull();
    // Ids longer than the column: a stable digest each, so two ids sharing a long prefix never collide.
    const prefix = 'e'.repeat(128);
    const [a, b] = [eventIdOf({ event_id: `${prefix}-a` }), eventIdOf({ event_id: `${prefix}-b` })];
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(eventIdOf({ event_id: `${prefix}-a` })).toBe(a);
    expect(eventIdOf({ event_id: 'x'.repeat(128) })).toBe('x'.repeat(128));
  });
});
