import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startEngine } from '../src/bootstrap.js';
import { AppConfig } from '../src/config/app-config.js';
import { SANDBOX_NOTICE_VERSION } from '../src/sandbox/link-page.js';

/**
 * `npm run screenshots` regenerates the PNGs in docs/screenshots/ that docs/reports.md shows: for three personas the
 * analyst's borrower page and the first two pages of its PDF, and the portfolio page. It starts the engine
 * in-process (embedded Postgres and the Mono sandbox in a temporary DATA_DIR), links each persona's account with its
 * own holder name and consent, applies once, then drives Debian's Chromium (/usr/bin/chromium, playwright-core) through
 * the analyst pages. PDF pages are rasterised with `pdftoppm` (Debian's poppler-utils) when it is installed; without
 * it they are skipped with a note. Sandbox data is seeded, so the pages are the same from run to run except for dates.
 */
const OUT = path.resolve('docs/screenshots');
const PERSONAS = ['salaried_monthly', 'trader_irregular', 'loan_stacker'] as const;
const CHROMIUM = '/usr/bin/chromium';

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'screenshots-'));
  const keys = { admin: `ad_${randomBytes(18).toString('base64url')}`, frontend: `fr_${randomBytes(18).toString('base64url')}`, analyst: `an_${randomBytes(18).toString('base64url')}` };
  const config = AppConfig.fromEnvironment({
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    MONO_SANDBOX_PORT: '0',
    EMBEDDED_PG_PORT: String(56500 + (process.pid % 400)),
    LOG_LEVEL: 'warn',
    API_KEYS: `admin:${keys.admin},frontend:${keys.frontend},analyst:${keys.analyst}`,
  });
  const engine = await startEngine(config);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const api = async <T>(method: string, p: string, body?: unknown, key = keys.frontend): Promise<T> => {
      const res = await fetch(`${engine.url}${p}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'idempotency-key': randomBytes(8).toString('hex') },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const sandbox = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${engine.sandbox!.url}/sandbox${p}`, {
        method,
        headers: { 'content-type': 'application/json', ...(engine.sandbox!.adminKey ? { 'x-sandbox-admin-key': engine.sandbox!.adminKey } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`sandbox ${method} ${p} → ${res.status}`);
      return (await res.json()) as T;
    };
    fs.mkdirSync(OUT, { recursive: true });
    const borrowers: Array<{ persona: string; id: string }> = [];
    for (const persona of PERSONAS) {
      const created = await sandbox<{ code: string; accountId: string }>('POST', '/accounts', { persona });
      const truth = await sandbox<{ account: { name: string } }>('GET', `/accounts/${created.accountId}`);
      const fullName = truth.account.name.toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase());
      const b = await api<{ id: string }>('POST', '/v1/borrowers', { externalId: `screens-${persona}`, fullName, email: `${persona}@example.com` });
      await api('POST', `/v1/borrowers/${b.id}/consents`, { purpose: 'underwriting', noticeVersion: SANDBOX_NOTICE_VERSION, channel: 'web' });
      await api('POST', `/v1/borrowers/${b.id}/accounts`, { code: created.code });
      // Linked: data arrives through account_updated and ingestion; apply once it is in.
      for (let i = 0; i < 600; i++) {
        const page = await api<{ total: number }>('GET', `/v1/borrowers/${b.id}/transactions?limit=1`);
        if (page.total > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const app = await api<{ id: string }>('POST', '/v1/applications', { borrowerId: b.id, amount: 30_000_000, tenorMonths: 6 });
      for (let i = 0; i < 600; i++) {
        const view = await api<{ status: string }>('GET', `/v1/applications/${app.id}`);
        if (view.status === 'decided' || view.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      borrowers.push({ persona, id: b.id });
    }

    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${engine.url}/analyst/login`);
    await page.fill('input[name="apiKey"]', keys.analyst);
    await Promise.all([page.waitForURL(`${engine.url}/analyst`), page.click('button[type="submit"]')]);
    const written: string[] = [];
    for (const b of borrowers) {
      await page.goto(`${engine.url}/analyst/borrowers/${b.id}`);
      const file = path.join(OUT, `${b.persona}-borrower.png`);
      await page.screenshot({ path: file, fullPage: true });
      written.push(file);
      const pdf = Buffer.from(await (await fetch(`${engine.url}/v1/reports/borrowers/${b.id}?format=pdf`, { headers: { authorization: `Bearer ${keys.analyst}` } })).arrayBuffer());
      written.push(...pdfPages(pdf, path.join(OUT, `${b.persona}-pdf`)));
    }
    await page.goto(`${engine.url}/analyst/portfolio`);
    const portfolio = path.join(OUT, 'portfolio.png');
    await page.screenshot({ path: portfolio, fullPage: true });
    written.push(portfolio);
    for (const f of written) process.stdout.write(`wrote ${path.relative(process.cwd(), f)}\n`);
  } finally {
    await browser.close();
    await engine.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The first two pages of a PDF as PNGs (`<prefix>-1.png`, `<prefix>-2.png`) with pdftoppm, or none without it. */
function pdfPages(pdf: Buffer, prefix: string): string[] {
  const tmp = path.join(os.tmpdir(), `screens-${process.pid}.pdf`);
  fs.writeFileSync(tmp, pdf);
  try {
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '2', tmp, prefix], { stdio: 'ignore' });
  } catch {
    process.stderr.write('pdftoppm (apt-get install -y poppler-utils) is missing: PDF pages skipped\n');
    return [];
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  // pdftoppm names pages <prefix>-1.png or <prefix>-01.png depending on the page count.
  const dir = path.dirname(prefix);
  const base = path.basename(prefix);
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(`${base}-`) && f.endsWith('.png'))
    .map((f) => {
      const n = Number(/-(\d+)\.png$/.exec(f)?.[1]);
      const target = path.join(dir, `${base}-${n}.png`);
      if (path.join(dir, f) !== target) fs.renameSync(path.join(dir, f), target);
      return target;
    });
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshots failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
