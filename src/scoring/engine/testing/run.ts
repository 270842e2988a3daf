import type { NormalisedTransaction } from '../../../common/domain/transaction.js';
import { DEFAULT_POLICY } from '../../policy/index.js';
import { prepareTransactions } from '../canonical.js';
import { toDay } from '../dates.js';
import { buildFrame, type Frame } from '../frame.js';
import type { Policy } from '../policy.js';
import { engineAccount } from './builders.js';

/** A Frame for detector-level specs. */
export function frameOf(txs: NormalisedTransaction[], asOf: string, policy: Policy = DEFAULT_POLICY): Frame {
  const accountIds = [...new Set(txs.map((t) => t.accountId))].sort();
  const accounts = accountIds.map((id) => engineAccount(id, txs, asOf));
  return buildFrame(prepareTransactions(txs).transactions, accounts, toDay(asOf), policy.coverage.lookbackMonths);
}
