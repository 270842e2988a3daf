import { createHash } from 'node:crypto';
import type { Direction } from '../common/domain/transaction.js';

export interface FingerprintInput {
  postedAt: string;
  direction: Direction;
  amountMinor: number;
  balanceMinor: number | null;
  narration: string;
}

/**
 * Content fingerprint of a provider transaction: sha256 over the normalised instant, direction, amount, running balance
 * and narration. Identifies a row for banks whose transaction ids are unstable, and tells modified rows from unchanged.
 */
export function transactionFingerprint(t: FingerprintInput): string {
  return createHash('sha256')
    .update(`${t.postedAt}\u001f${t.direction}\u001f${t.amountMinor}\u001f${t.balanceMinor ?? ''}\u001f${t.narration}`)
    .digest('hex');
}
