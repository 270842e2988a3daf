import 'reflect-metadata';
import { ENGINE_KEYS, spawnEngine } from './engine-process.js';
import { FAULT_ENGINE_ENV, FAULTS, runFaultScenario } from './fault-scenario.js';
import { runScript, startInfra } from './infra.js';
import { engineClient } from './kit.js';

/**
 * `npm run reliability:faults [-- --borrowers 200 --concurrency 8 --seed 9 --json]`
 *
 * The fault run of issue 9 at full size: an embedded Postgres in a temp dir, the sandbox with every fault on, the
 * engine as a child process; borrowers link, apply and are re-underwritten, and the run checks that every
 * application ended decided (or waiting for reauth, for MFA banks) and stored transactions equal the sandbox's.
 * Exit code 0 only if every check holds. Everything listens on 127.0.0.1 and is removed on exit.
 */
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

runScript(async (onCleanup) => {
  const borrowers = arg('borrowers', 200);
  const concurrency = arg('concurrency', 8);
  const seed = arg('seed', 9);
  const json = process.argv.includes('--json');
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const infra = await startInfra('faults', log);
  onCleanup(() => infra.close());
  const sandbox = await infra.startSandbox();
  const databaseUrl = await infra.createDatabase('fault_run');
  const engine = await spawnEngine({ name: 'engine', databaseUrl, env: infra.monoEnv(sandbox, FAULT_ENGINE_ENV) });
  sandbox.setWebhookTarget(`${engine.url}/webhooks/mono`);
  log(`engine ${engine.url} (pid ${engine.pid}), sandbox ${sandbox.url}; faults ${JSON.stringify(FAULTS)}`);

  const r = await runFaultScenario({
    engine: engineClient(engine.url, ENGINE_KEYS),
    databaseUrl,
    sandboxUrl: sandbox.url,
    borrowers,
    concurrency,
    seed,
    phaseTimeoutMs: Math.max(300_000, borrowers * 3_000),
    log,
  });
  const checks: Array<[string, boolean]> = [
    ['every application decided or reauth_required as expected', r.applications.unexpected.length === 0],
    ['one decision per application', r.applicationDecisions.maxPerApplication === 1 && r.applicationDecisions.applications === r.applications.decided],
    ['cycle completed, every item done', r.cycle.status === 'completed' && r.scheduledDecisions.itemsDone === r.scheduledDecisions.reviewItems],
    ['one scheduled decision per reviewed borrower', r.scheduledDecisions.maxPerBorrower === 1 && r.scheduledDecisions.borrowers === r.scheduledDecisions.reviewItems],
    ['stored transactions == sandbox ground truth', r.groundTruth.mismatches.length === 0],
    ['webhook inbox settled, none failed', (r.webhooks.inbox.pending ?? 0) === 0 && (r.webhooks.inbox.failed ?? 0) === 0],
  ];
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...r, checks: Object.fromEntries(checks) })}\n`);
  } else {
    const rows: Array<[string, string]> = [
      ['borrowers (MFA)', `${r.borrowers} (${r.mfaBorrowers})`],
      ['applications decided / reauth_required', `${r.applications.decided} / ${r.applications.reauthRequired} of ${r.applications.total}`],
      ['MFA borrowers decided on stale data', String(r.applications.mfaDecidedStale)],
      ['decisions (approve/decline/refer)', JSON.stringify(r.applicationDecisions.outcomes)],
      ['cycle items done / total', `${r.scheduledDecisions.itemsDone} / ${r.scheduledDecisions.reviewItems} (${r.cycle.status})`],
      ['accounts / transactions compared', `${r.groundTruth.accounts} / ${r.groundTruth.transactions}`],
      ['mismatches', String(r.groundTruth.mismatches.length)],
      ['Mono calls / faulted', `${r.faults.monoCalls} / ${Object.values(r.faults.byKind).reduce((a, b) => a + b, 0)}`],
      ['faults by kind', JSON.stringify(r.faults.byKind)],
      ['webhooks sent (duplicates) / inbox', `${r.webhooks.deliveries} (${r.webhooks.duplicatesSent}) / ${JSON.stringify(r.webhooks.inbox)}`],
      ['phases (ms)', JSON.stringify(r.phasesMs)],
      ['duration', `${(r.durationMs / 1000).toFixed(1)} s`],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
    for (const [name, ok] of checks) process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}\n`);
    for (const m of r.groundTruth.mismatches.slice(0, 20)) process.stdout.write(`  mismatch: ${m}\n`);
    for (const a of r.applications.unexpected.slice(0, 20)) process.stdout.write(`  unexpected: ${JSON.stringify(a)}\n`);
  }
  return checks.every(([, ok]) => ok) ? 0 : 1;
});
