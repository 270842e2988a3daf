import { Clock } from '../../src/common/clock.js';

/**
 * The injected clock, shifted by the test: real time plus an offset, so the engine's own timers and retries (which
 * run on the same clock) keep moving while a test jumps ahead to an expiry, a review date or a retention deadline.
 */
export class ShiftedClock extends Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
