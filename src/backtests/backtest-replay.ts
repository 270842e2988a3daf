import { gunzipSync } from 'node:zlib';
import type { BacktestAccumulator } from '../scoring/backtest.js';
import type { EngineInput } from '../scoring/engine/index.js';
import type { WireCase } from './backtest-source.js';

/** Decodes and replays a batch of stored decisions into an accumulator (the same code inline and in a worker). */
export function accumulateWire(acc: BacktestAccumulator, cases: readonly WireCase[]): void {
  for (const c of cases) {
    const input = (c.payloadGzip ? JSON.parse(gunzipSync(c.payloadGzip).toString('utf8')) : c.payload) as EngineInput;
    const stored = c.stored.dsrCap === null ? { ...c.stored, dsrCap: input.policy.affordability.dsrCap } : c.stored;
    acc.add({ decisionId: c.decisionId, engineVersion: c.engineVersion, input, stored, outcome: c.outcome });
  }
}
