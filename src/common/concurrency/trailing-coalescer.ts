/**
 * Per-key coalescing of an idempotent task with a trailing run ("single flight + one more").
 *
 * A caller for a key with nothing in flight starts the task. Callers that arrive while it runs do not start their
 * own: they all share ONE trailing run, started when the current one settles — so each caller gets a run that began
 * after it asked (data fetched after its webhook arrived), and a burst of N requests for one key costs at most two
 * runs instead of N. Callers that arrive while the trailing run is in flight queue the next trailing run, and so on.
 *
 * A run's failure is its callers' failure only (the trailing run still starts). The trailing run executes the task
 * of the first caller that joined it; the others share its result. In-process only: instances do not coordinate.
 */
export class TrailingCoalescer<K, R> {
  private readonly slots = new Map<K, { running: Promise<R>; trailing: Promise<R> | null }>();
  private joinedCount = 0;

  /** Runs `task` for `key`, or joins the key's trailing run when one is in flight (see the class comment). */
  run(key: K, task: () => Promise<R>): Promise<R> {
    const slot = this.slots.get(key);
    if (!slot) return this.launch(key, task, null);
    this.joinedCount += 1;
    slot.trailing ??= slot.running.then(noop, noop).then(() => this.launch(key, task, slot));
    return slot.trailing;
  }

  /** Keys with a run in flight. */
  get inFlight(): number {
    return this.slots.size;
  }

  /** Calls that did not start a run of their own (joined a trailing run) since construction. */
  get joined(): number {
    return this.joinedCount;
  }

  private launch(key: K, task: () => Promise<R>, previous: { running: Promise<R>; trailing: Promise<R> | null } | null): Promise<R> {
    const slot = previous ?? { running: Promise.resolve() as Promise<R>, trailing: null };
    // From here on, new callers queue behind this run rather than joining it.
    slot.trailing = null;
    const run: Promise<R> = Promise.resolve()
      .then(task)
      .finally(() => {
        if (slot.running === run && slot.trailing === null && this.slots.get(key) === slot) this.slots.delete(key);
      });
    slot.running = run;
    this.slots.set(key, slot);
    return run;
  }
}

function noop(): void {}
