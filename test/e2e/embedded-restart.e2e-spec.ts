import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ENGINE_KEYS, freePort } from '../../scripts/reliability/engine-process.js';

/**
 * `npm start` after kill -9, with the embedded Postgres (no DATABASE_URL): the real entry point (src/main.ts) in a
 * child process on one DATA_DIR. Killing the engine with SIGKILL leaves its Postgres running; the next start must
 * detect that stale server (postmaster.pid, owner pid), stop it and start again with no manual step, with the data
 * intact. A second engine on the same DATA_DIR while one runs is refused in one line; a CLI attaches instead.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const API_KEYS = Object.entries(ENGINE_KEYS)
  .map(([role, key]) => `${role}:${key}`)
  .join(',');

interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

function run(script: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--no-warnings', '--import', '@swc-node/register/esm-register', script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_OPTIONS: '', ...env },
  });
  const proc: Proc = { child, stdout: '', stderr: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout.on('data', (d: Buffer) => (proc.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (proc.stderr = (proc.stderr + d.toString()).slice(-8000)));
  return proc;
}

/** Starts src/main.ts and resolves once it logs that it listens (or rejects when it exits first). */
async function startEngine(env: Record<string, string>): Promise<Proc> {
  const proc = run('src/main.ts', [], env);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine did not start: ${proc.stderr}`)), 180_000);
    createInterface({ input: proc.child.stdout! }).on('line', (line) => {
      if (line.includes('engine listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited (${code}) before listening: ${proc.stderr}`));
    });
  });
  return proc;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return true;
  }
};

describe('embedded Postgres after kill -9 of the engine', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let url: string;
  const started: Proc[] = [];
  const postmasterPid = (): number => Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uw-restart-'));
    const [port, pgPort, sandboxPort] = [await freePort(), await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      MONO_SANDBOX_PORT: String(sandboxPort),
      JOBS_ENABLED: 'false',
      API_KEYS,
    };
  });

  afterAll(async () => {
    for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    // Whatever a failed run left: stop the cluster's server, then remove the directory.
    try {
      const pid = postmasterPid();
      if (alive(pid)) process.kill(pid, 'SIGQUIT');
    } catch {
      /* no server */
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('should start again on the same DATA_DIR after SIGKILL, with no manual step and the data intact', async () => {
    const first = await startEngine(env);
    started.push(first);
    const created = await fetch(`${url}/v1/borrowers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ENGINE_KEYS.frontend}` },
      body: JSON.stringify({ externalId: 'restart-1', fullName: 'Kelechi Example', email: 'kelechi@example.com' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const stalePid = postmasterPid();
    // Safe defaults: files the engine creates under DATA_DIR are owner-only; the sandbox listens on loopback only.
    for (const file of ['pii-keys.json', 'postgres.owner']) expect([file, fs.statSync(path.join(dataDir, file)).mode & 0o777]).toEqual([file, 0o600]);
    expect((await fetch(`http://127.0.0.1:${env.MONO_SANDBOX_PORT}/`)).status).toBeLessThan(500);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      const refused = await new Promise<string>((resolve) => {
        const socket = net.connect({ host: external.address, port: Number(env.MONO_SANDBOX_PORT) });
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
    }

    first.child.kill('SIGKILL');
    await first.exited;
    // The precondition of the defect: the killed engine's Postgres is still running, its pid file in place.
    expect(alive(stalePid)).toBe(true);

    const second = await startEngine(env);
    started.push(second);
    expect(alive(stalePid)).toBe(false);
    expect(postmasterPid()).not.toBe(stalePid);
    const got = await fetch(`${url}/v1/borrowers/${id}`, { headers: { authorization: `Bearer ${ENGINE_KEYS.admin}` } });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { externalId: string }).externalId).toBe('restart-1');

    // A second engine on the same DATA_DIR while this one runs: refused in one line, the running one unharmed.
    const intruder = run('src/main.ts', [], { ...env, PORT: String(await freePort()), MONO_SANDBOX_PORT: String(await freePort()) });
    started.push(intruder);
    expect(await intruder.exited).toBe(1);
    const lines = intruder.stderr.trim().split('\n').filter((l) => l.startsWith('engine failed to start'));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`in use by a running engine or CLI \\(pid ${second.child.pid}\\): stop it first`))]);
    expect((await fetch(`${url}/health`)).status).toBe(200);

    // A CLI attaches to the running engine's database.
    const cli = run('scripts/api-key.ts', ['list'], env);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout.split('\n').filter((l) => /\b(frontend|analyst|admin)\b/.test(l))).toHaveLength(3);
    expect(alive(postmasterPid())).toBe(true);

    // A graceful stop stops Postgres too and releases DATA_DIR.
    const serverPid = postmasterPid();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(alive(serverPid)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'postgres.owner'))).toBe(false);
    expect(fs.statSync(path.join(dataDir, 'sandbox-state.json')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'sandbox-admin-key.json')).mode & 0o777).toBe(0o600);
  }, 420_000);
});
