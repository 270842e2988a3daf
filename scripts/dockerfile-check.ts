import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';

/**
 * `npm run docker:check` — the Dockerfile's steps without Docker, so the image cannot rot where CI has no Docker
 * (`.ci/run` runs it after the tests). Each stage gets a clean directory: COPY from the build context honours
 * .dockerignore, COPY --from copies out of an earlier stage, ENV and RUN run as written (bash, this machine's Node
 * 24). The last stage's CMD then starts as the container would — NODE_ENV=production, a Postgres from DATABASE_URL
 * (an embedded one here, as docker-compose's), the variables docker-compose requires — and must answer /health with
 * the database up, the HEALTHCHECK command must pass, an admin key must authenticate, and SIGTERM must stop it
 * cleanly. What it cannot check: the base image itself and `USER node` (it runs as the current user).
 */
const ROOT = path.resolve(import.meta.dirname, '..');

interface Instruction {
  op: string;
  args: string;
}

function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\w+)\s+(.*)$/.exec(l);
      if (!m) throw new Error(`Dockerfile: cannot read "${l}"`);
      return { op: m[1].toUpperCase(), args: m[2] };
    });
}

/** .dockerignore rules (Go filepath.Match per path from the context root; `**` any depth; last match wins). */
function ignoreMatcher(text: string): (rel: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const source = pattern
        .split('/')
        .map((part) =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/');
      return { negate, re: new RegExp(`^${source}(/.*)?$`) };
    });
  return (rel) => {
    let ignored = false;
    for (const r of rules) if (r.re.test(rel)) ignored = !r.negate;
    return ignored;
  };
}

function copyContext(from: string, to: string, ignored: (rel: string) => boolean, rel = ''): void {
  for (const entry of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (ignored(r)) continue;
    const src = path.join(from, r);
    const dst = path.join(to, r);
    if (entry.isDirectory()) {
      fs.mkdirSync(dst, { recursive: true });
      copyContext(from, to, ignored, r);
    } else if (entry.isFile()) {
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
}

function copyInto(srcRoot: string, sources: string[], destRoot: string, dest: string, ignored: (rel: string) => boolean): void {
  for (const s of sources) {
    const rel = s.replace(/^\.\/?/, '').replace(/^\/app\/?/, '');
    const src = path.join(srcRoot, rel);
    const target =
      dest.endsWith('/') || dest === '.' || sources.length > 1
        ? path.join(destRoot, dest, rel === '' ? '' : path.basename(rel))
        : path.join(destRoot, dest);
    if (!fs.existsSync(src)) throw new Error(`COPY: ${s} does not exist in ${srcRoot}`);
    if (fs.statSync(src).isDirectory()) {
      fs.mkdirSync(target, { recursive: true });
      if (rel === '') copyContext(src, target, ignored);
      else
        fs.cpSync(src, target, {
          recursive: true,
          verbatimSymlinks: true,
          filter: (p) => !ignored(path.relative(srcRoot, p).split(path.sep).join('/')),
        });
    } else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(src, target);
    }
  }
}

function step(message: string): void {
  process.stdout.write(`docker:check ${message}\n`);
}

async function main(): Promise<void> {
  const instructions = parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const ignored = ignoreMatcher(fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-check-'));
  const stages = new Map<string, string>();
  let stageDir = '';
  let env: Record<string, string> = {};
  let cmd: string[] | null = null;
  let healthcheck: string[] | null = null;
  let stageNo = 0;
  for (const { op, args } of instructions) {
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      stageDir = path.join(work, `stage-${stageNo}`);
      fs.mkdirSync(stageDir);
      stages.set(m[2] ?? String(stageNo), stageDir);
      stages.set(String(stageNo), stageDir);
      stageNo += 1;
      env = {};
      cmd = null;
      healthcheck = null;
      step(`FROM ${m[1]} → ${stageDir}`);
    } else if (op === 'COPY') {
      const parts = args.split(/\s+/);
      const fromFlag = parts[0].startsWith('--from=') ? parts.shift()!.slice('--from='.length) : null;
      const dest = parts.pop()!;
      const srcRoot = fromFlag ? stages.get(fromFlag) : ROOT;
      if (!srcRoot) throw new Error(`COPY --from=${fromFlag}: no such stage`);
      copyInto(srcRoot, parts, stageDir, dest, fromFlag ? () => false : ignored);
      step(`COPY ${args}`);
    } else if (op === 'RUN') {
      step(`RUN ${args}`);
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', args], { cwd: stageDir, stdio: 'inherit', env: { ...process.env, ...env } });
      if (r.status !== 0) throw new Error(`RUN ${args} failed with ${r.status ?? r.signal}`);
    } else if (op === 'ENV') {
      for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
    } else if (op === 'CMD') {
      cmd = JSON.parse(args) as string[];
    } else if (op === 'HEALTHCHECK') {
      const m = /CMD\s+(\[.*\])\s*$/.exec(args);
      if (!m) throw new Error('HEALTHCHECK must use the exec form: CMD ["node", …]');
      healthcheck = JSON.parse(m[1]) as string[];
    } else if (!['WORKDIR', 'USER', 'EXPOSE', 'ARG', 'LABEL'].includes(op)) {
      throw new Error(`Dockerfile: ${op} is not handled by this check; extend scripts/dockerfile-check.ts`);
    }
  }
  if (!cmd) throw new Error('the last stage has no CMD');

  const pg = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), port: 56000 + (process.pid % 4000), database: 'postgres' });
  const adminKey = randomBytes(24).toString('base64url');
  const runEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? work,
    ...env,
    PORT: '0',
    MONO_SANDBOX_PORT: '0',
    DATABASE_URL: pg.url,
    DATA_DIR: path.join(work, 'engine-data'),
    API_KEYS: `admin:${adminKey},frontend:${randomBytes(24).toString('base64url')},analyst:${randomBytes(24).toString('base64url')}`,
    PII_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    MONO_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'info',
  };
  step(`CMD ${cmd.join(' ')} (NODE_ENV=${runEnv.NODE_ENV ?? 'unset'})`);
  const child = spawn(cmd[0], cmd.slice(1), { cwd: stageDir, env: runEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 1);
          try {
            const entry = JSON.parse(line) as { msg?: string; api?: string };
            if (entry.msg?.startsWith('engine listening') && entry.api) resolve(entry.api);
          } catch {
            /* not a log line */
          }
        }
      });
      child.on('exit', (code) => reject(new Error(`the engine exited with ${code} before listening`)));
    });
    const health = await fetch(`${url}/health`);
    const body = (await health.json()) as { info?: { database?: { status?: string } } };
    if (health.status !== 200 || body.info?.database?.status !== 'up')
      throw new Error(`/health answered ${health.status} ${JSON.stringify(body)}`);
    step(`/health 200, database up at ${url}`);
    if (healthcheck) {
      const port = new URL(url).port;
      const r = spawnSync(healthcheck[0], healthcheck.slice(1), { cwd: stageDir, env: { ...runEnv, PORT: port }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`HEALTHCHECK failed (${r.status}): ${r.stderr}`);
      step('HEALTHCHECK passes');
    }
    const whoami = await fetch(`${url}/v1/auth/whoami`, { headers: { Authorization: `Bearer ${adminKey}` } });
    if (whoami.status !== 200) throw new Error(`whoami with the admin key answered ${whoami.status}`);
    step('the admin key from API_KEYS authenticates');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`SIGTERM: the engine exited with ${code}`);
    step('SIGTERM: clean exit 0');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await pg.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  step('ok');
}

main().catch((err: unknown) => {
  process.stderr.write(`docker:check failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
