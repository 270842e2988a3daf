/**
 * Categoriser micro-benchmark (docs/benchmarks.md, "Ingestion"): CPU cost per row of `categoriseBorrowerTransactions`
 * without Postgres, to iterate quickly on `src/ingestion/normalise`.
 *
 *   node --import @swc-node/register/esm-register scripts/bench/categorise.ts [--rows 200000] [--accounts 8] [--repeat 3]
 *   node --cpu-prof --import @swc-node/register/esm-register scripts/bench/categorise.ts   # then open the .cpuprofile
 *
 * Workloads (deterministic, same rows on every run):
 *   windows   the ingestion benchmark's rows (`syntheticLedger`, `--accounts` accounts over 360 days) plus injected
 *             cross-account self-transfer pairs and reversal pairs, through `categoriseInWindows` — the production
 *             slicing (2,000-row slices with pairing context), i.e. what `npm run bench:ingestion` runs per account.
 *   whole     the same rows in a single `categoriseBorrowerTransactions` call (pairing over the whole history; only
 *             sensible once pairing is not quadratic — skipped with `--no-whole`).
 *   personas  every sandbox persona (12 months, all linked accounts), categorised like `normaliseMonoExport` does,
 *             repeated until about `--rows` rows: realistic narrations, holder names, self-transfers, reversals.
 *
 * Each workload prints µs/row (best of `--repeat`) and a sha256 of its JSON output, so a change to the categoriser
 * can be checked to give byte-identical results on these inputs.
 */
import { createHash } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { NormalisedTransaction } from '../../src/common/domain/transaction.js';
import { categoriseInWindows } from '../../src/ingestion/categorise-in-windows.js';
import {
  categoriseBorrowerTransactions,
  loadDictionaries,
  parseMonoAccountDetails,
  parseMonoTransactions,
  type BorrowerAccountTransactions,
} from '../../src/ingestion/normalise/index.js';
import { syntheticLedger } from '../../src/ingestion/testing/synthetic-ledger.js';
import { DEFAULT_SEEDS, generatePersona, type PersonaName } from '../../src/sandbox/personas/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    accounts: { type: 'string', default: '8' },
    repeat: { type: 'string', default: '3' },
    'no-whole': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const ROWS = Number(values.rows);
const ACCOUNTS = Number(values.accounts);
const REPEAT = Number(values.repeat);
const FROM = '2024-11-25T00:00:00.000Z';
const TO = '2025-11-20T00:00:00.000Z';
const HOLDER = 'ADEBAYO JOHN OLUWASEUN';

const log = (msg: string): void => void process.stdout.write(`${msg}\n`);
const dictionaries = loadDictionaries();

function shiftIso(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** The ingestion benchmark's ledger per account, plus ~2 % injected self-transfer pairs and ~1 % reversal pairs. */
function syntheticAccounts(): BorrowerAccountTransactions[] {
  const perAccount = Math.ceil(ROWS / ACCOUNTS);
  const accounts = Array.from({ length: ACCOUNTS }, (_, a) => ({
    accountId: `acc-${a}`,
    holderName: HOLDER,
    transactions: syntheticLedger({ seed: 1000 + a, count: perAccount, from: FROM, to: TO, idPrefix: `a${a}` }),
  }));
  let n = 0;
  for (let a = 0; a < ACCOUNTS; a++) {
    const rows = accounts[a].transactions;
    const other = accounts[(a + 1) % ACCOUNTS].transactions;
    for (let i = 50; i < rows.length; i += 50) {
      const base = rows[i];
      const amountMinor = 100 * (1 + ((i * 7919 + a * 104_729) % 50_000));
      if (ACCOUNTS > 1) {
        // Own-account transfer: debit here, credit of the same amount on the next account a few hours later.
        rows.push({ ...base, providerId: `st-d-${n}`, direction: 'debit', amountMinor, narration: `NIP/KUDA MFB/SAVINGS/own ${n}` });
        other.push({
          ...base,
          providerId: `st-c-${n}`,
          postedAt: shiftIso(base.postedAt, 3_600_000 * (1 + (i % 30))),
          direction: 'credit',
          amountMinor,
          narration: `NIP/GTB/ACME SAVINGS/own ${n}`,
        });
      }
      if (i % 100 === 0) {
        // A transfer that failed and came back within days, citing the same session id.
        const ref = String(100_000_000_000 + n * 7);
        rows.push({ ...base, providerId: `rv-d-${n}`, direction: 'debit', amountMinor, narration: `NIP/ACCESS/TUNDE BALOGUN/${ref}` });
        rows.push({
          ...base,
          providerId: `rv-c-${n}`,
          postedAt: shiftIso(base.postedAt, 86_400_000 * (1 + (i % 4))),
          direction: 'credit',
          amountMinor,
          narration: `NIP/ACCESS/TUNDE BALOGUN/${ref} RETURN`,
        });
      }
      n++;
    }
  }
  return accounts;
}

/** All personas with their linked accounts, as `normaliseMonoExport` feeds them to the categoriser. */
function personaBorrowers(): BorrowerAccountTransactions[][] {
  const names = Object.keys(DEFAULT_SEEDS) as PersonaName[];
  const borrowers: BorrowerAccountTransactions[][] = [];
  for (const name of names) {
    const p = generatePersona(name, { asOf: '2026-10-31', months: 12 });
    const items = [{ account: p.account, transactions: p.transactions }, ...p.extraAccounts];
    borrowers.push(
      items.map((item) => {
        const account = parseMonoAccountDetails(item.account, 'account');
        return {
          accountId: account.accountId,
          holderName: account.holderName,
          transactions: parseMonoTransactions(item.transactions, 'transactions'),
          currency: account.currency,
        };
      }),
    );
  }
  return borrowers;
}

function digest(out: readonly NormalisedTransaction[][]): string {
  const hash = createHash('sha256');
  for (const rows of out) hash.update(JSON.stringify(rows));
  return hash.digest('hex').slice(0, 16);
}

const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/**
 * Best of `--repeat` runs, in CPU time of this process (user + system): the machine these benchmarks run on is shared,
 * so wall time mostly measures the neighbours; wall time is shown beside it.
 */
async function measure(name: string, rows: number, run: () => Promise<NormalisedTransaction[][]>): Promise<void> {
  if (values.only !== undefined && values.only !== name) return;
  let best = Infinity;
  let bestWall = Infinity;
  let out: NormalisedTransaction[][] = [];
  for (let i = 0; i < REPEAT; i++) {
    const wall = process.hrtime.bigint();
    const cpu = cpuMicros();
    out = await run();
    best = Math.min(best, cpuMicros() - cpu);
    bestWall = Math.min(bestWall, Number(process.hrtime.bigint() - wall) / 1000);
  }
  const produced = out.reduce((s, r) => s + r.length, 0);
  log(
    `${name.padEnd(9)} ${String(rows).padStart(7)} rows  CPU ${(best / 1000).toFixed(0).padStart(6)} ms = ${(best / rows).toFixed(2).padStart(6)} µs/row` +
      `  (wall ${(bestWall / rows).toFixed(2)} µs/row)  out ${produced} rows  sha256 ${digest(out)}`,
  );
}

const synthetic = syntheticAccounts();
const syntheticRows = synthetic.reduce((s, a) => s + a.transactions.length, 0);
const personas = personaBorrowers();
const personaRows = personas.reduce((s, b) => s + b.reduce((t, a) => t + a.transactions.length, 0), 0);
const personaRounds = Math.max(1, Math.round(ROWS / personaRows));

log(
  `categoriser micro-benchmark: node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
log(`dictionaries ${dictionaries.dictionaryVersion}; best of ${REPEAT} runs, CPU time of this process`);

// Warm-up on a small slice so the first measured run is not mostly JIT.
categoriseBorrowerTransactions(
  synthetic.map((a) => ({ ...a, transactions: a.transactions.slice(0, 500) })),
  { dictionaries },
);

await measure('windows', syntheticRows, async () => {
  // Per account, as the ingestion benchmark does (each account is one first ingestion).
  const out: NormalisedTransaction[][] = [];
  for (const account of synthetic) out.push(await categoriseInWindows([account], { dictionaries }));
  return out;
});
await measure('windows8', syntheticRows, async () => [await categoriseInWindows(synthetic, { dictionaries })]);
if (!values['no-whole']) {
  await measure('whole', syntheticRows, () => Promise.resolve([categoriseBorrowerTransactions(synthetic, { dictionaries })]));
}
await measure('personas', personaRows * personaRounds, () => {
  const out: NormalisedTransaction[][] = [];
  for (let r = 0; r < personaRounds; r++) {
    for (const borrower of personas) out.push(categoriseBorrowerTransactions(borrower, { dictionaries }));
  }
  return Promise.resolve(out);
});
