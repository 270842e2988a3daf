import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { SystemClock } from '../src/common/clock.js';
import { AppConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { renderBorrowerPdf } from '../src/reports/pdf.js';
import { ReportsRepository } from '../src/reports/reports.repository.js';
import { ReportsService } from '../src/reports/reports.service.js';
import { borrowerPage, portfolioPage } from '../src/reports/views/pages.js';
import { configurePiiKeys } from '../src/security/pii-cipher.js';
import { resolvePiiKeys } from '../src/security/pii-keys.js';

const USAGE = `usage:
  npm run report -- portfolio [--from YYYY-MM-DD] [--to YYYY-MM-DD] --out FILE [--format json|csv|html]
  npm run report -- borrower --id BORROWER_ID [--decision DECISION_ID] --out FILE [--format json|html|pdf|csv]
The format defaults to the file extension (else json). Connects to DATABASE_URL or the embedded Postgres in DATA_DIR.
`;

const DB_HINT =
  'Set DATABASE_URL, or run from the engine\'s directory so DATA_DIR (default .data) and EMBEDDED_PG_PORT match the running ' +
  'engine: its embedded Postgres is postgres://postgres:postgres@127.0.0.1:<EMBEDDED_PG_PORT, default 54320>/underwriting (the engine logs the URL at start).';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}`);
  process.exit(2);
}

/** Writes a report to a file for scheduled delivery (cron → mail/SFTP), with the same builders as the API. */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string' },
      id: { type: 'string' },
      decision: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const kind = positionals[0];
  if (kind !== 'portfolio' && kind !== 'borrower') fail('name the report: portfolio or borrower');
  if (!values.out) fail('--out FILE is required');
  const format = values.format ?? (path.extname(values.out).slice(1).toLowerCase() || 'json');
  const allowed = kind === 'portfolio' ? ['json', 'csv', 'html'] : ['json', 'html', 'pdf', 'csv'];
  if (!allowed.includes(format)) fail(`--format must be one of ${allowed.join(', ')} for ${kind}`);
  if (kind === 'borrower' && !values.id) fail('--id BORROWER_ID is required');

  const config = AppConfig.fromEnvironment();
  configurePiiKeys(resolvePiiKeys(config));
  const embedded = config.database.url
    ? null
    : await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.embeddedPort, attach: true });
  const ds = new DataSource(dataSourceOptions(config.database.url ?? embedded!.url, { poolSize: 2, applicationName: 'report-cli' }));
  try {
    await ds.initialize();
    const reports = new ReportsService(new ReportsRepository(ds), new SystemClock(), config);
    let body: string | Buffer;
    if (kind === 'portfolio') {
      const p = await reports.portfolio({ from: values.from, to: values.to });
      body = format === 'csv' ? reports.portfolioCsv(p) : format === 'html' ? portfolioPage(p, null) : `${JSON.stringify(p, null, 2)}\n`;
    } else if (format === 'csv') {
      body = await reports.transactionsCsv(values.id!);
    } else {
      const r = await reports.borrowerReport(values.id!, { decisionId: values.decision });
      body =
        format === 'pdf'
          ? await renderBorrowerPdf(r)
          : format === 'html'
            ? borrowerPage(r, { user: null })
            : `${JSON.stringify(r, null, 2)}\n`;
    }
    fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
    fs.writeFileSync(values.out, body);
    process.stdout.write(`wrote ${kind} report (${format}, ${Buffer.byteLength(body)} bytes) to ${values.out}\n`);
  } finally {
    await ds.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  // Any thrown value (also null/undefined or an AggregateError from the pg driver): print the real cause, never a
  // TypeError from reading it, and say what to set when the database cannot be reached.
  const e = typeof err === 'object' && err !== null ? (err as { message?: unknown; code?: unknown; errors?: unknown }) : null;
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  const inner = Array.isArray(e?.errors) ? e.errors.map((x) => (x instanceof Error ? x.message : String(x))).join('; ') : '';
  const message = (typeof e?.message === 'string' && e.message) || inner || String(err);
  process.stderr.write(`report failed: ${code}${message}\n`);
  if (e?.code === 'ECONNREFUSED' || e?.code === '28P01' || e?.code === '3D000') {
    process.stderr.write(`${DB_HINT}\n`);
  }
  process.exit(1);
});
