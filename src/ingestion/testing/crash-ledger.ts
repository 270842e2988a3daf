import type { ParsedMonoTransaction } from '../normalise/index.js';
import { syntheticLedger } from './synthetic-ledger.js';

const DAY_MS = 86_400_000;

/** The crash test's source: `count` rows over the 360 days before `nowIso` (inside the 12-month first window). */
export function crashTestLedger(count: number, nowIso: string): ParsedMonoTransaction[] {
  const now = Date.parse(nowIso);
  return syntheticLedger({
    seed: 4242,
    count,
    from: new Date(now - 360 * DAY_MS).toISOString(),
    to: new Date(now - DAY_MS).toISOString(),
    idPrefix: 'crash',
  });
}
