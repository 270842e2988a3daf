/**
 * A backtest replay worker (a worker thread of backtest-runner.ts): decodes each stored input, replays it and
 * accumulates; answers every batch with `ack` (the runner's flow control) and `end` with its accumulator state.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { accumulateWire, type ReplayMemo } from './backtest-replay.js';
import { BacktestAccumulator } from '../scoring/backtest.js';
import type { Policy } from '../scoring/engine/index.js';
import type { WireCase } from './backtest-source.js';

const { candidate, baseline, reuseInputs } = workerData as { candidate: Policy; baseline: Policy | null; reuseInputs: boolean };
const acc = new BacktestAccumulator(candidate, baseline);
// Every case of one stored input is routed to this worker: its answers are replayed once per run.
const memo: ReplayMemo | null = reuseInputs ? new Map() : null;
parentPort!.on('message', (m: { type: 'batch'; cases: WireCase[] } | { type: 'end' }) => {
  if (m.type === 'batch') {
    accumulateWire(acc, m.cases, memo);
    parentPort!.postMessage({ type: 'ack', n: m.cases.length });
  } else {
    parentPort!.postMessage({ type: 'state', state: acc.state() });
  }
});
