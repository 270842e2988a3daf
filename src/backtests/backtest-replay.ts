import { gunzipSync } from 'node:zlib';
import type { BacktestAccumulator, ReplayedViews } from '../scoring/backtest.js';
import type { EngineInput } from '../scoring/engine/index.js';
import type { WireCase } from './backtest-source.js';

/**
 * What a replayer keeps per stored input while a run lasts: the engine's answers and the input's DSR cap (a few
 * hundred bytes, never the input itself), so the later decisions that share the input are not decoded or replayed.
 */
export type ReplayMemo = Map<string, { views: ReplayedViews; dsrCap: string }>;

/**
 * Decodes and replays a batch of stored decisions into an accumulator (the same code inline and in a worker). A case
 * whose input was already replayed here (`reuse`, or a key seen before) takes the memo's answers; without a memo every
 * case is decoded and replayed on its own.
 */
export function accumulateWire(acc: BacktestAccumulator, cases: readonly WireCase[], memo: ReplayMemo | null = null): void {
  for (const c of cases) {
    let entry = memo?.get(c.inputKey);
    const stored = { ...c.stored };
    const withBaseline = acc.needsReplayedBaseline({ engineVersion: c.engineVersion, stored });
    if (!entry || (withBaseline && !entry.views.baseline)) {
      if (c.reuse && !c.payloadGzip && c.payload === null) throw new Error(`decision ${c.decisionId}: its input was sent to another replayer`);
      const input = (c.payloadGzip ? JSON.parse(gunzipSync(c.payloadGzip).toString('utf8')) : c.payload) as EngineInput;
      entry = { views: acc.replay(input, withBaseline), dsrCap: input.policy.affordability.dsrCap };
      memo?.set(c.inputKey, entry);
    }
    if (stored.dsrCap === null) stored.dsrCap = entry.dsrCap;
    acc.add({ decisionId: c.decisionId, engineVersion: c.engineVersion, stored, outcome: c.outcome }, entry.views);
  }
}
