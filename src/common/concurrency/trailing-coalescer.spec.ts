import { describe, expect, it } from '@jest/globals';
import { TrailingCoalescer } from './trailing-coalescer.js';

/** A task whose completion the test controls, recording when it started. */
function controllable(log: string[], name: string): { task: () => Promise<string>; finish(): void; fail(err: Error): void } {
  let finish!: (v: string) => void;
  let fail!: (e: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    task: () => {
      log.push(`start ${name}`);
      return done;
    },
    finish: () => finish(name),
    fail: (err) => fail(err),
  };
}

/** Lets every already-settled promise callback run. */
const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(TrailingCoalescer.name, () => {
  it('should run a lone call at once and forget the key afterwards', async () => {
    const c = new TrailingCoalescer<string, string>();
    const log: string[] = [];
    const a = controllable(log, 'a');
    const p = c.run('acc-1', a.task);
    await drain();
    expect(log).toEqual(['start a']);
    expect(c.inFlight).toBe(1);
    a.finish();
    await expect(p).resolves.toBe('a');
    await drain();
    expect(c.inFlight).toBe(0);
  });

  it('should give every call that arrives during a run one shared trailing run, started after the first settles', async () => {
    const c = new TrailingCoalescer<string, string>();
    const log: string[] = [];
    const first = controllable(log, 'first');
    const second = controllable(log, 'second');
    const unused = controllable(log, 'unused');
    const p1 = c.run('acc-1', first.task);
    await drain();
    const joiners = [c.run('acc-1', second.task), c.run('acc-1', unused.task), c.run('acc-1', unused.task)];
    await drain();
    expect(log).toEqual(['start first']); // nobody started while the first runs
    first.finish();
    await expect(p1).resolves.toBe('first');
    await drain();
    expect(log).toEqual(['start first', 'start second']);
    second.finish();
    await expect(Promise.all(joiners)).resolves.toEqual(['second', 'second', 'second']);
    expect(c.joined).toBe(3);
    await drain();
    expect(c.inFlight).toBe(0);
  });

  it('should queue the next trailing run behind a trailing run in flight, and keep keys apart', async () => {
    const c = new TrailingCoalescer<string, string>();
    const log: string[] = [];
    const [r1, r2, r3, other] = ['r1', 'r2', 'r3', 'other'].map((n) => controllable(log, n));
    const p1 = c.run('acc-1', r1.task);
    const p2 = c.run('acc-1', r2.task);
    const po = c.run('acc-2', other.task);
    await drain();
    expect(log).toEqual(['start r1', 'start other']);
    r1.finish();
    await p1;
    await drain();
    const p3 = c.run('acc-1', r3.task); // r2 is running now: r3 waits for it
    await drain();
    expect(log).toEqual(['start r1', 'start other', 'start r2']);
    r2.finish();
    await expect(p2).resolves.toBe('r2');
    await drain();
    expect(log.at(-1)).toBe('start r3');
    r3.finish();
    other.finish();
    await expect(Promise.all([p3, po])).resolves.toEqual(['r3', 'other']);
  });

  it("should fail only a failed run's callers and still start the trailing run", async () => {
    const c = new TrailingCoalescer<string, string>();
    const log: string[] = [];
    const bad = controllable(log, 'bad');
    const good = controllable(log, 'good');
    const p1 = c.run('acc-1', bad.task);
    const p2 = c.run('acc-1', good.task);
    bad.fail(new Error('bank timeout'));
    await expect(p1).rejects.toThrow('bank timeout');
    await drain();
    good.finish();
    await expect(p2).resolves.toBe('good');
    await drain();
    expect(c.inFlight).toBe(0);
  });
});
