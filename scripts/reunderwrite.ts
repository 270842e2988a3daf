import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config/app-config.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { initialisePiiKeys } from '../src/security/pii-keys.js';
import { ReunderwritingService, type CycleProgress } from '../src/underwriting/reunderwriting.service.js';

/** What one worker process did for a cycle (its share of the cycle's pg-boss review jobs). */
interface DrainReport {
  cycleId: string;
  workerId: string;
  processed: number;
  failed: number;
  completedCycle: boolean;
  durationMs: number;
}

/**
 * `npm run reunderwrite [-- --workers N --budget N]` runs a re-underwriting cycle now: creates it (or resumes the
 * unfinished one), then works its pg-boss review jobs with N worker processes (this one + N−1 children; any engine
 * instance with workers on helps too), shows a progress bar on stderr and prints a summary table. Against
 * DATABASE_URL or the embedded Postgres in DATA_DIR. `--concurrency` is accepted for compatibility; each process
 * works REUNDERWRITE_CONCURRENCY jobs per review step.
 *
 * Internal mode used for the extra workers (and tests): `--cycle ID --drain-only` works the queues until the cycle
 * is no longer running and prints one JSON line `{ report, maxRssKb, cpuSeconds }`.
 */
interface Args {
  workers: number;
  concurrency: number;
  budget: number | undefined;
  cycle: string | undefined;
  drainOnly: boolean;
  json: boolean;
  quiet: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, min: number): number | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
    return n;
  };
  return {
    workers: int('workers', 1) ?? 1,
    concurrency: int('concurrency', 1) ?? 4,
    budget: int('budget', 0),
    cycle: get('cycle'),
    drainOnly: argv.includes('--drain-only'),
    json: argv.includes('--json'),
    quiet: argv.includes('--quiet'),
  };
}

function bar(p: CycleProgress, startedAt: number): string {
  const c = p.counters;
  const finished = c.done + c.failed + c.skipped;
  const share = c.total === 0 ? 1 : finished / c.total;
  const width = 30;
  const filled = Math.round(share * width);
  const elapsed = (performance.now() - startedAt) / 1000;
  const rate = elapsed > 0 ? finished / elapsed : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(1).padStart(5)}% ${finished}/${c.total} reviewed, ${c.failed} failed, ${c.inProgress} in progress, ${rate.toFixed(1)}/s, Mono calls ${p.monoCallsSpent}/${p.budget}`;
}

interface WorkerStats {
  name: string;
  processed: number;
  maxRssKb: number;
  /** User + system CPU time of the worker process. */
  cpuSeconds: number;
}

function cpuSeconds(): number {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
}

function summary(p: CycleProgress, seconds: number, workers: WorkerStats[]): string {
  const c = p.counters;
  const rows: Array<[string, string]> = [
    ['cycle', p.cycleId],
    ['status', p.status],
    ['borrowers due', String(c.total)],
    ['reviewed', String(c.done)],
    ['failed', String(c.failed)],
    ['accounts synced', String(c.synced)],
    ['re-authorisation needed', String(c.reauthNeeded)],
    ['reviewed on cached data (over budget)', String(c.overBudget)],
    ['limits raised', String(c.raised)],
    ['limits lowered', String(c.lowered)],
    ['limits frozen', String(c.frozen)],
    ['limits unfrozen', String(c.unfrozen)],
    ['limits unchanged', String(c.unchanged)],
    ['Mono calls spent / budget', `${p.monoCallsSpent} / ${p.budget}`],
    ['duration', `${seconds.toFixed(1)} s`],
    ['throughput', `${(c.done / Math.max(seconds, 0.001)).toFixed(1)} borrowers/s`],
    ...workers.map((w): [string, string] => [
      `worker ${w.name}`,
      `${w.processed} reviewed, peak RSS ${(w.maxRssKb / 1024).toFixed(0)} MiB, CPU ${w.cpuSeconds.toFixed(1)} s`,
    ]),
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const line = `+${'-'.repeat(w + 2)}+${'-'.repeat(Math.max(...rows.map(([, v]) => v.length)) + 2)}+`;
  return [line, ...rows.map(([k, v]) => `| ${k.padEnd(w)} | ${v.padEnd(line.length - w - 7)} |`), line].join('\n');
}

function runChild(args: string[], env: NodeJS.ProcessEnv): Promise<{ report: DrainReport; maxRssKb: number; cpuSeconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as { report: DrainReport; maxRssKb: number; cpuSeconds: number });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

/**
 * Works the queues (the app's job handlers are registered at bootstrap) until the cycle is no longer running:
 * completed here (the cycle-completed event) or by another process (a cheap status read every second).
 */
async function work(service: ReunderwritingService, cycleId: string): Promise<DrainReport> {
  const t0 = performance.now();
  const workerId = `cli:${process.pid}`;
  const report: DrainReport = { cycleId, workerId, processed: 0, failed: 0, completedCycle: false, durationMs: 0 };
  service.onItemFinished((_id, status) => {
    if (status === 'failed') report.failed++;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const elsewhere = new Promise<void>((resolve) => {
      timer = setInterval(() => {
        void service
          .statusProgress(cycleId)
          .then((p) => p.status !== 'running' && resolve())
          .catch(() => undefined);
      }, 1000);
    });
    const here = service.waitForCycle(cycleId).then(() => (report.completedCycle = true));
    await Promise.race([here, elsewhere]);
  } finally {
    clearInterval(timer);
  }
  // Reviewed here, from the database (review_items.worker_id): once the cycle is no longer running every review has
  // committed, so this is exact — an in-process event could still be on its way when the cycle is seen completed.
  report.processed = await service.itemsDoneHere(cycleId);
  report.durationMs = Math.round(performance.now() - t0);
  return report;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loaded = AppConfig.fromEnvironment();
  // A CLI run is a worker: it works the job system's queues (review steps) until the cycle completes.
  const config = Object.assign(Object.create(AppConfig.prototype) as AppConfig, loaded, {
    jobs: { ...loaded.jobs, enabled: true },
    workers: { enabled: true },
  });
  const embedded = config.database.url
    ? null
    : await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.embeddedPort, attach: true });
  const databaseUrl = config.database.url ?? embedded!.url;
  // Reviews read borrowers' encrypted PII (name match): the key ring must be loaded as the engine loads it.
  initialisePiiKeys(config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, databaseUrl }), {
    logger: ['error'],
    abortOnError: false,
  });
  let exitCode = 0;
  let closed = false;
  try {
    const service = app.get(ReunderwritingService);
    if (args.drainOnly) {
      if (!args.cycle) throw new Error('--drain-only needs --cycle ID');
      const report = await work(service, args.cycle);
      await app.close(); // in-flight steps finish (and are counted) first
      closed = true;
      process.stdout.write(`${JSON.stringify({ report, maxRssKb: process.resourceUsage().maxRSS, cpuSeconds: cpuSeconds() })}\n`);
      return;
    }
    const started = performance.now();
    const start = await service.startCycle('manual', { requestedBy: 'cli', budget: args.budget });
    if (!args.quiet)
      process.stderr.write(`${start.resumed ? 'resuming' : 'started'} cycle ${start.cycleId} with ${start.items} borrowers due\n`);
    const childArgs = ['--cycle', start.cycleId, '--drain-only'];
    const children = Array.from({ length: args.workers - 1 }, () => runChild(childArgs, { ...process.env, DATABASE_URL: databaseUrl }));
    const tty = process.stderr.isTTY;
    let lastLine = 0;
    let polling = false;
    // The bar polls cheap status counts, only when it will print, and never two polls at once.
    const timer = setInterval(() => {
      if (args.quiet || polling || (!tty && performance.now() - lastLine < 5000)) return;
      polling = true;
      lastLine = performance.now();
      void service
        .statusProgress(start.cycleId)
        .then((p) => process.stderr.write(tty ? `\r${bar(p, started)}` : `${bar(p, started)}\n`))
        .catch(() => undefined)
        .finally(() => (polling = false));
    }, 500);
    let own: DrainReport;
    let results: Array<{ report: DrainReport; maxRssKb: number; cpuSeconds: number }>;
    try {
      own = await work(service, start.cycleId);
      results = await Promise.all(children);
    } finally {
      clearInterval(timer);
    }
    const progress = await service.progress(start.cycleId);
    await app.close(); // in-flight steps finish (and are counted) before the counts are reported
    closed = true;
    const seconds = (performance.now() - started) / 1000;
    if (!args.quiet) process.stderr.write(`\r${bar(progress, started)}\n`);
    const workers: WorkerStats[] = [
      { name: `main (pid ${process.pid})`, processed: own.processed, maxRssKb: process.resourceUsage().maxRSS, cpuSeconds: cpuSeconds() },
      ...results.map((r, i) => ({ name: `child ${i + 1}`, processed: r.report.processed, maxRssKb: r.maxRssKb, cpuSeconds: r.cpuSeconds })),
    ];
    if (args.json) process.stdout.write(`${JSON.stringify({ progress, seconds, workers })}\n`);
    else process.stdout.write(`${summary(progress, seconds, workers)}\n`);
    if (progress.status !== 'completed') exitCode = 1;
  } finally {
    if (!closed) await app.close();
    await embedded?.stop();
  }
  process.exitCode = exitCode;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
