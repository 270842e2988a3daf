/**
 * A backtest replay worker (a worker thread of backtest-runner.ts): decodes each stored input, replays it and
 * accumulates; answers every batch with `ack` (the runner's flow control) and `end` with its accumulator state.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { accumulateWire } from './backtest-replay.js';
import { BacktestAccumulator } from '../scoring/backtest.js';
import type { Policy } from '../scoring/engine/index.js';
import type { WireCase } from './backtest-source.js';

const { candidate, baseline } = workerData as { candidate: Policy; baseline: Policy | null };
const acc = new BacktestAccumulator(candidate, baseline);
parentPort!.on('message', (m: { type: 'batch'; cases: WireCase[] } | { type: 'end' }) => {
  if (m.type === 'batch') {
    accumulateWire(acc, m.cases);
    parentPort!.postMessage({ type: 'ack', n: m.cases.length });
  } else {
    parentPort!.postMessage({ type: 'state', state: acc.state() });
  }
});
