import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { configurePiiKeys } from '../security/pii-cipher.js';
import { protectPayloadJson, revealPayload } from './webhook-events.repository.js';

/** Webhook bodies in the inbox: personal data encrypted at rest, the processor sees the body exactly as received. */
describe('webhook payload protection', () => {
  beforeEach(() => configurePiiKeys([{ id: 'w1', key: randomBytes(32) }]));
  afterEach(() => configurePiiKeys([{ id: 'test', key: Buffer.alloc(32, 7) }]));

  const body = {
    event: 'mono.events.account_updated',
    data: {
      account: { _id: 'acc_123', name: 'Adaeze Invented Okafor', accountNumber: '0123456789', balance: 150000 },
      meta: { data_status: 'AVAILABLE' },
      customer: { phone: '08030000000', email: 'adaeze@example.invalid', address: { line1: '1 Invented Close' } },
    },
  };

  it('should store no personal value in plain text and keep the routing fields readable', () => {
    const stored = protectPayloadJson(JSON.stringify(body));
    for (const secret of ['Adaeze Invented Okafor', '0123456789', '08030000000', 'adaeze@example.invalid', '1 Invented Close']) {
      expect(stored).not.toContain(secret);
    }
    const parsed = JSON.parse(stored) as typeof body;
    expect(parsed.event).toBe(body.event);
    expect(parsed.data.account._id).toBe('acc_123');
    expect(parsed.data.account.balance).toBe(150000);
    expect(parsed.data.meta.data_status).toBe('AVAILABLE');
  });

  it('should give back the body as received, and pass rows stored before encryption through unchanged', () => {
    expect(revealPayload(JSON.parse(protectPayloadJson(JSON.stringify(body))) as Record<string, unknown>)).toEqual(body);
    expect(revealPayload(body)).toEqual(body);
  });

  it('should keep a "__proto__" key of a body (found by the property below: assignment used to drop it)', () => {
    const json = '{"event":"x","data":[{"__proto__":0,"name":"Ada"}]}';
    expect(JSON.stringify(revealPayload(JSON.parse(protectPayloadJson(json)) as Record<string, unknown>))).toBe(json);
  });

  it('should round-trip any JSON body, including values that already look encrypted', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, planted) => {
        const input = { event: 'x', data: { value, name: `enc:v1:w1:${planted}`, phone: planted } };
        const stored = JSON.parse(protectPayloadJson(JSON.stringify(input))) as Record<string, unknown>;
        expect(revealPayload(stored)).toEqual(JSON.parse(JSON.stringify(input)));
      }),
      { numRuns: 200 },
    );
  });
});
