import { describe, expect, it } from '@jest/globals';
import { redact, redactText } from './redact.js';

describe('redact', () => {
  it('should redact personal data and secrets at any depth', () => {
    const out = redact({
      event: 'x',
      data: { account: { name: 'ADA OBI', accountNumber: '0123456789', bvn: '1234' }, headers: { 'mono-sec-key': 'test_sk_x' } },
      list: [{ full_name: 'Ada Obi', amount: 100 }],
    });
    expect(JSON.stringify(out)).not.toMatch(/ADA OBI|0123456789|1234"|test_sk_x|Ada Obi/);
    expect(out).toMatchObject({ event: 'x', list: [{ amount: 100 }] });
  });

  it('should mask long digit runs inside free text', () => {
    expect(redactText('BVN 22212345678 for acct 0123456789, amount 5000')).toBe('BVN [redacted-number] for acct [redacted-number], amount 5000');
  });
});
