import fs from 'node:fs';
import path from 'node:path';
import { SeededRandom, hashSeed } from './random.js';
import type { CallRecord, SandboxLogger, SandboxStateData } from './types.js';

const MAX_CALLS_PER_ACCOUNT = 2000;

function emptyState(seed: number): SandboxStateData {
  const rng = new SeededRandom(hashSeed(seed, 'app'));
  return {
    version: 1,
    app: rng.hex(24),
    business: rng.hex(24),
    counter: 0,
    customers: {},
    accounts: {},
    codes: {},
    links: {},
    jobs: {},
  };
}

/**
 * The sandbox's whole state: one JSON-able object (persisted to `stateFile` when given, written atomically and
 * coalesced), ids derived from the seed, the injected clock and a persisted counter, plus the in-memory call log.
 */
export class SandboxStore {
  data: SandboxStateData;
  private readonly calls = new Map<string, CallRecord[]>();
  private rng: SeededRandom;
  private writeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly seed: number,
    private readonly now: () => Date,
    private readonly stateFile: string | undefined,
    private readonly log: SandboxLogger,
  ) {
    this.data = this.load() ?? emptyState(seed);
    this.rng = new SeededRandom(hashSeed(seed, `ids-${this.data.counter}`));
  }

  nowIso(): string {
    return this.now().toISOString();
  }

  nowMs(): number {
    return this.now().getTime();
  }

  /** A 24-hex Mongo-ObjectId-like id: 4-byte timestamp, 5 seeded bytes, 3-byte counter. */
  objectId(): string {
    this.data.counter += 1;
    const ts = Math.floor(this.nowMs() / 1000)
      .toString(16)
      .padStart(8, '0')
      .slice(-8);
    return ts + this.rng.hex(10) + (this.data.counter & 0xffffff).toString(16).padStart(6, '0');
  }

  /** An opaque token (widget codes, link ids, reauth tokens). */
  token(prefix: string, length = 20): string {
    this.data.counter += 1;
    return `${prefix}${this.rng.hex(length - 6)}${(this.data.counter & 0xffffff).toString(16).padStart(6, '0')}`;
  }

  /** Seed for a persona generated inside the sandbox (hosted link), distinct per link but reproducible. */
  derivedSeed(label: string): number {
    return hashSeed(this.seed, `${label}-${this.data.counter}`);
  }

  recordCall(accountId: string, call: CallRecord): void {
    let list = this.calls.get(accountId);
    if (!list) {
      list = [];
      this.calls.set(accountId, list);
    }
    list.push(call);
    if (list.length > MAX_CALLS_PER_ACCOUNT) list.splice(0, list.length - MAX_CALLS_PER_ACCOUNT);
  }

  callsFor(accountId: string): CallRecord[] {
    return [...(this.calls.get(accountId) ?? [])];
  }

  reset(): void {
    this.data = emptyState(this.seed);
    this.rng = new SeededRandom(hashSeed(this.seed, 'ids-0'));
    this.calls.clear();
    this.save();
  }

  /** Marks the state changed; the file is rewritten shortly after (coalesced), and on `flush()`. */
  save(): void {
    if (!this.stateFile || this.writeTimer) return;
    this.writeTimer = setTimeout(() => {
      this.writeTimer = null;
      this.writeNow();
    }, 25);
    this.writeTimer.unref();
  }

  flush(): void {
    if (this.writeTimer) {
      clearTimeout(this.writeTimer);
      this.writeTimer = null;
    }
    if (this.stateFile) this.writeNow();
  }

  private writeNow(): void {
    if (!this.stateFile) return;
    try {
      fs.mkdirSync(path.dirname(this.stateFile), { recursive: true, mode: 0o700 });
      const tmp = `${this.stateFile}.${process.pid}.tmp`;
      // Personas' identities (names, BVNs) live here: owner-only.
      fs.writeFileSync(tmp, JSON.stringify(this.data), { mode: 0o600 });
      fs.renameSync(tmp, this.stateFile);
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'sandbox state could not be written');
    }
  }

  private load(): SandboxStateData | null {
    if (!this.stateFile || !fs.existsSync(this.stateFile)) return null;
    try {
      const parsed = JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as SandboxStateData;
      if (parsed.version !== 1 || typeof parsed.accounts !== 'object') {
        this.log.warn({ stateFile: this.stateFile }, 'sandbox state file has an unknown version; starting empty');
        return null;
      }
      return parsed;
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'sandbox state file unreadable; starting empty');
      return null;
    }
  }
}
