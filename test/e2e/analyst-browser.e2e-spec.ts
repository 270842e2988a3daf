import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { AnalystController } from '../../src/reports/analyst.controller.js';
import { ScoringService } from '../../src/scoring/scoring.service.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/app.js';
import { seedBorrower, type SeededBorrower } from './reports-seed.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test/artifacts');
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) {
  // CI installs the Debian package (.ci/run); locally: apt-get install -y chromium. Never a downloaded browser.
  console.warn(`${CHROMIUM} is missing: skipping the analyst browser test (apt-get install -y chromium to run it)`);
}

(hasChromium ? describe : describe.skip)(`${AnalystController.name} in headless Chromium`, () => {
  let t: TestApp;
  let browser: Browser;
  let seeded: SeededBorrower;

  beforeAll(async () => {
    t = await createTestApp({}, { listen: true });
    seeded = await seedBorrower(t.app.get(DataSource), { fullName: 'Funke Adeyemi', externalId: 'los-funke-007' });
    await t.app
      .get(ScoringService)
      .scoreBorrower(seeded.borrowerId, { trigger: 'application', requestedLoan: { amountMinor: 40_000_000, tenorMonths: 6 } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('should log in, render the charts, drill down from a bar to its transactions and save screenshots', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(`${t.url}/analyst/borrowers/${seeded.borrowerId}`);
      expect(new URL(page.url()).pathname).toBe('/analyst/login');
      await page.fill('input[name="apiKey"]', TEST_KEYS.analyst);
      await Promise.all([page.waitForURL(`${t.url}/analyst`), page.click('button[type="submit"]')]);
      await Promise.all([
        page.waitForURL(`**/analyst/borrowers/${seeded.borrowerId}`),
        page.click(`a.borrower-link[href="/analyst/borrowers/${seeded.borrowerId}"]`),
      ]);

      await expect(page.locator('h1.borrower-name').textContent()).resolves.toBe('Funke Adeyemi');
      const months = await page.locator('svg.chart-monthly-cash-flow rect.bar-inflow').count();
      expect(months).toBeGreaterThanOrEqual(3);
      await expect(page.locator('svg.chart-monthly-cash-flow rect.bar').count()).resolves.toBe(months * 3);
      await expect(page.locator('svg.chart-daily-balance polyline.balance-line').count()).resolves.toBe(1);
      expect(await page.locator('svg.chart-daily-balance circle.negative-day').count()).toBeGreaterThan(0);
      expect(await page.locator('svg.chart-income-timeline circle.payment').count()).toBeGreaterThan(5);
      expect(await page.locator('svg.chart-income-timeline polygon.predicted').count()).toBeGreaterThan(0);
      // Rendered, not just present: the bar chart has a real on-screen size.
      const box = await page.locator('svg.chart-monthly-cash-flow').boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(300);
      await page.screenshot({ path: path.join(ARTIFACTS, 'analyst-borrower.png'), fullPage: true });

      const bar = page.locator('svg.chart-monthly-cash-flow rect.bar-inflow').first();
      const month = await bar.getAttribute('data-group');
      await Promise.all([page.waitForURL(/\/transactions\?/), bar.click()]);
      await expect(page.locator('h1').textContent()).resolves.toBe(`Transactions in ${month}`);
      const rows = await page.locator('tr.txn').count();
      const [{ n }] = await t.app
        .get(DataSource)
        .query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM bank_transactions WHERE account_id = $1 AND to_char(booking_date, 'YYYY-MM') = $2`,
          [seeded.accountId, month],
        );
      expect(rows).toBe(n);
      await page.screenshot({ path: path.join(ARTIFACTS, 'analyst-drilldown.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
