import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'engine-entry.ts');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** API keys every spawned engine seeds (API_KEYS), one per role. */
export const ENGINE_KEYS = {
  frontend: 'reliability-frontend-key-0123456789',
  analyst: 'reliability-analyst-key-0123456789',
  admin: 'reliability-admin-key-0123456789ab',
} as const;

export interface EngineProcess {
  name: string;
  /** Where it listens (announced by the process once bound). */
  url: string;
  pid: number;
  child: ChildProcess;
  /** SIGKILL, and wait until the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful close), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Last lines the process wrote to stderr (for failure messages). */
  stderrTail(): string;
}

const running = new Set<EngineProcess>();

/**
 * A free TCP port on 127.0.0.1 for programs that cannot bind port 0 and announce theirs. The port is free when asked,
 * not reserved: prefer spawnEngine without `port` (the engine binds port 0 and announces the port it got).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `scripts/reliability/engine-entry.ts` as a child process (not detached) on `databaseUrl` and resolves
 * once it listens. Every process started here is tracked; `stopAllEngines()` ends the ones still running.
 */
export async function spawnEngine(opts: {
  name: string;
  databaseUrl: string;
  env: Record<string, string>;
  /** Omit to let the engine bind any free port (announced on start; `url` has it). */
  port?: number;
  readyTimeoutMs?: number;
  /** Extra node flags (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Run at this CPU niceness (`nice -n`), e.g. background workers sharing a host with API instances. */
  nice?: number;
}): Promise<EngineProcess> {
  const port = opts.port ?? 0;
  const apiKeys = Object.entries(ENGINE_KEYS)
    .map(([role, key]) => `${role}:${key}`)
    .join(',');
  const nodeArgs = ['--no-warnings', ...(opts.nodeArgs ?? []), '--import', '@swc-node/register/esm-register', ENTRY];
  // `nice` execs node in place, so the pid stays the engine's.
  const [command, argv] = opts.nice ? ['nice', ['-n', String(opts.nice), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, argv, {
    cwd: ROOT,
    detached: false,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_OPTIONS: '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      ...opts.env,
      DATABASE_URL: opts.databaseUrl,
      PORT: String(port),
      API_KEYS: apiKeys,
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const handle: EngineProcess = {
    name: opts.name,
    url: `http://127.0.0.1:${port}`, // replaced by the announced URL once ready
    pid: child.pid ?? -1,
    child,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      running.delete(handle);
    },
    stop: async (graceMs = 10_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(handle);
    },
    stderrTail: () => stderr.slice(-3000),
  };
  running.add(handle);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${opts.name} did not start in time: ${stderr.slice(-2000)}`)),
        opts.readyTimeoutMs ?? 120_000,
      );
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        if (line.startsWith('ENGINE_READY ')) {
          handle.url = line.slice('ENGINE_READY '.length).trim();
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${opts.name} exited (${code ?? signal}) before listening: ${stderr.slice(-2000)}`));
      });
    });
  } catch (err) {
    await handle.kill9();
    throw err;
  }
  return handle;
}

/** SIGKILLs every engine process started by this module that is still running. */
export async function stopAllEngines(): Promise<void> {
  await Promise.all([...running].map((e) => e.kill9()));
}

// A crashed or interrupted parent must not leave engines behind.
process.once('exit', () => {
  for (const e of running) if (e.child.exitCode === null) e.child.kill('SIGKILL');
});
