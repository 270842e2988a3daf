import { Worker } from 'node:worker_threads';
import { BacktestAccumulator, type BacktestState, type BacktestSummary } from '../scoring/backtest.js';
import type { Policy } from '../scoring/engine/index.js';
import { accumulateWire, type ReplayMemo } from './backtest-replay.js';
import { countDecisions, readCases, type BacktestQuery, type BacktestWindow, type WireCase } from './backtest-source.js';

export interface BacktestRunOptions extends BacktestWindow {
  query: BacktestQuery;
  candidate: Policy;
  /** null: each decision's own policy, as decided (the stored result when the engine version is this one). */
  baseline: Policy | null;
  /** When loan outcomes are read. */
  asOf: Date;
  /** Replay worker threads; 0 replays on the calling thread. */
  workers: number;
  batchSize?: number;
  /**
   * Replay a stored input shared by several decisions once (default true): it is read and sent once, and every
   * decision with it is routed to the same worker. False reads, decodes and replays each decision on its own (what
   * a window of distinct inputs costs; the benchmark's worst case).
   */
  reuseInputs?: boolean;
  onProgress?: (p: { done: number; total: number }) => void | Promise<void>;
}

export interface BacktestRunResult extends BacktestSummary {
  erasedSkipped: number;
  outcomesAsOf: string;
  window: BacktestWindow;
}

/** The worker entry next to this file: `.ts` under the swc loader (dev, tests), `.js` once built. */
function spawnWorker(candidate: Policy, baseline: Policy | null, reuseInputs: boolean): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const url = new URL(ts ? './backtest.worker.ts' : './backtest.worker.js', import.meta.url);
  return new Worker(url, {
    workerData: { candidate, baseline, reuseInputs },
    execArgv: ts ? ['--no-warnings', '--import', '@swc-node/register/esm-register'] : [],
    // A worker holds two batches of inputs, one decoded input and the answers (a few hundred bytes) of each distinct
    // input it replayed: a bounded heap keeps the process under 1 GiB with two workers (docs/benchmarks.md
    // "Backtest") and fails loudly on a runaway instead of swapping.
    resourceLimits: { maxOldGenerationSizeMb: 320, maxYoungGenerationSizeMb: 32 },
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

interface Lane {
  worker: Worker;
  inFlight: number;
  free: Array<() => void>;
  state: Promise<BacktestState>;
  failed: Promise<never>;
}

/**
 * Streams the window's stored decisions (keyset batches) to a pool of replay workers, at most two batches in
 * flight per worker, so memory stays bounded by batch size × workers whatever the number of decisions; merges the
 * workers' accumulators exactly. Progress is reported after every batch read.
 */
export async function runBacktest(o: BacktestRunOptions): Promise<BacktestRunResult> {
  const total = await countDecisions(o.query, o);
  const counters = { erased: 0 };
  const main = new BacktestAccumulator(o.candidate, o.baseline);
  const memo: ReplayMemo = new Map();
  let done = 0;
  const lanes: Lane[] = Array.from({ length: o.workers }, () => {
    const worker = spawnWorker(o.candidate, o.baseline, o.reuseInputs ?? true);
    const lane: Lane = { worker, inFlight: 0, free: [], state: null!, failed: null! };
    lane.failed = new Promise<never>((_, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`backtest worker exited with code ${code}`)));
    });
    lane.failed.catch(() => undefined);
    lane.state = new Promise<BacktestState>((resolve) => {
      worker.on('message', (m: { type: 'ack' } | { type: 'state'; state: BacktestState }) => {
        if (m.type === 'ack') {
          lane.inFlight -= 1;
          lane.free.shift()?.();
        } else resolve(m.state);
      });
    });
    return lane;
  });
  try {
    const reuse = o.reuseInputs ?? true;
    let next = 0;
    for await (const cases of readCases(o.query, o, { asOf: o.asOf, batchSize: o.batchSize, reuseInputs: reuse }, counters)) {
      if (lanes.length === 0) accumulateWire(main, cases, reuse ? memo : null);
      else {
        // With reuse, all cases of one stored input go to one worker (it holds the input's answers); without, whole
        // batches go round-robin.
        const parts: WireCase[][] = lanes.map(() => []);
        if (reuse) for (const c of cases) parts[laneOf(c.inputKey, lanes.length)].push(c);
        else parts[next++ % lanes.length] = cases;
        for (const [i, part] of parts.entries()) {
          if (part.length === 0) continue;
          const lane = lanes[i];
          if (lane.inFlight >= 2) await Promise.race([new Promise<void>((r) => lane.free.push(r)), lane.failed]);
          lane.inFlight += 1;
          // A bytea Buffer from pg may be a view into a shared pool, and one input read once may serve several cases
          // (no reuse): copy those, transfer each remaining buffer once without copying.
          const transferred = new Set<ArrayBufferLike>();
          const out = part.map((c) => {
            const g = c.payloadGzip;
            if (!g) return c;
            if (g.byteOffset !== 0 || g.byteLength !== g.buffer.byteLength || transferred.has(g.buffer)) {
              const copy = new Uint8Array(g);
              transferred.add(copy.buffer);
              return { ...c, payloadGzip: copy };
            }
            transferred.add(g.buffer);
            return c;
          });
          lane.worker.postMessage(
            { type: 'batch', cases: out },
            out.flatMap((c) => (c.payloadGzip ? [c.payloadGzip.buffer as ArrayBuffer] : [])),
          );
        }
      }
      done += cases.length;
      await o.onProgress?.({ done: done + counters.erased, total });
    }
    for (const lane of lanes) lane.worker.postMessage({ type: 'end' });
    const states = await Promise.all(lanes.map((l) => Promise.race([l.state, l.failed])));
    for (const s of states) main.merge(s);
  } finally {
    await Promise.all(lanes.map((l) => l.worker.terminate()));
  }
  return { ...main.summary(), erasedSkipped: counters.erased, outcomesAsOf: o.asOf.toISOString(), window: { from: o.from, to: o.to } };
}

/** The worker of a stored input: a stable hash of its key (FNV-1a), so every decision with the input meets its answers. */
function laneOf(key: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % lanes;
}
