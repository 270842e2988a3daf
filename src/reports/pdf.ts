import { displayValue, gradeExplanation, percent } from './views/pages.js';
import PDFDocument from 'pdfkit';
import { formatNaira } from '../common/money.js';
import { borrowerCharts } from './charts/report-charts.js';
import type { Chart, Shape } from './charts/shapes.js';
import type { BorrowerReport } from './model/borrower-report.js';
import { chainValue, lagosTime } from './views/format.js';

/**
 * The borrower report as a PDF, drawn server-side with pdfkit: text with the standard Helvetica font and the
 * three charts as vector paths from the same geometry as the HTML's SVG. Helvetica has no naira sign, so
 * amounts read "NGN 1,234.00" here.
 */
export interface PdfOptions {
  /** Uncompressed content streams (tests read the text back). */
  compress?: boolean;
}

const MARGIN = 40;

/** Standard PDF fonts cover WinAnsi only: map the few other characters we print, drop the rest. */
export function pdfText(s: string): string {
  return s
    .replace(/₦/g, 'NGN ')
    .replace(/[→]/g, '->')
    .replace(/[−–—]/g, '-')
    .replace(/[•◇]/g, '*')
    .replace(/×/g, 'x')
    .replace(/[≥]/g, '>=')
    .replace(/[⌊⌋]/g, '')
    .replace(/…/g, '...')
    .replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
}

function ngn(kobo: number | null | undefined): string {
  return kobo === null || kobo === undefined ? '-' : pdfText(formatNaira(kobo));
}

/** Standard PDF fonts have no em dash: '-' marks a missing ratio. */
const pct = (ratio: string | null | undefined): string => percent(ratio, '-');

export function renderBorrowerPdf(report: BorrowerReport, opts: PdfOptions = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    compress: opts.compress ?? true,
    info: {
      Title: pdfText(`Underwriting report - ${report.borrower.externalId}`),
      Producer: 'mono-underwriting-engine',
      CreationDate: new Date(report.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 2 * MARGIN;
  const ensure = (h: number): void => {
    if (doc.y + h > doc.page.height - MARGIN) doc.addPage();
  };
  const heading = (t: string): void => {
    ensure(40);
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(13).fillColor('#14213d').text(pdfText(t), MARGIN, doc.y, { width });
    doc.moveDown(0.2).font('Helvetica').fontSize(10).fillColor('#222222');
  };
  const line = (t: string, o: { bold?: boolean; color?: string; size?: number } = {}): void => {
    ensure(14);
    doc
      .font(o.bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(o.size ?? 10)
      .fillColor(o.color ?? '#222222')
      .text(pdfText(t), MARGIN, doc.y, { width });
  };

  const b = report.borrower;
  doc.font('Helvetica-Bold').fontSize(18).fillColor('#14213d').text(pdfText(b.fullName), { width });
  line(`External id ${b.externalId} | email ${b.email} | phone ${b.phone ?? '-'} | BVN ${b.bvn ?? '-'}`, { color: '#555555', size: 9 });
  line(`Report generated ${lagosTime(report.generatedAt)}`, { color: '#555555', size: 9 });

  const d = report.decision;
  heading('Decision');
  if (d) {
    const declined = d.decision === 'decline';
    line(`Decision: ${d.decision.toUpperCase()} | risk grade ${d.grade.grade}`, { bold: true, size: 12 });
    line(gradeExplanation(d.grade), { size: 8 });
    line(
      `Decision ${d.id} (${d.trigger}${d.actor ? ` by ${d.actor}` : ''}) made ${lagosTime(d.createdAt)}; data as of ${d.asOf}; policy ${d.policyVersion}; engine ${d.engineVersion}; ${d.coverageMonths} complete months`,
      { color: '#555555', size: 8 },
    );
    const figures = (): void => {
      line(`${declined ? 'Computed limit (not offered)' : 'Recommended limit'}: ${ngn(d.recommendedLimitMinor)}`, {
        bold: !declined,
        size: declined ? 10 : 12,
      });
      line(`Instalment: ${ngn(d.instalmentMinor)} x ${d.tenorMonths} months (max instalment ${ngn(d.maxInstalmentMinor)})`);
      line(`Binding constraint: ${d.bindingConstraint} | Post-loan DSR: ${pct(d.postLoanDsr)}`);
      line(
        `Verified monthly income: ${ngn(report.income?.verifiedMonthlyMinor)} | Obligations: ${ngn(report.obligations?.monthlyTotalMinor)} / month | Free cash flow: ${ngn(report.cashFlow?.freeCashFlowMinor)} / month`,
      );
      if (d.requested)
        line(`Requested: ${ngn(d.requested.amountMinor)}${d.requested.tenorMonths ? ` over ${d.requested.tenorMonths} months` : ''}`);
      if (d.counterOffer && !declined)
        line(
          `Counter-offer: ${ngn(d.counterOffer.amountMinor)} over ${d.counterOffer.tenorMonths} months at ${ngn(d.counterOffer.instalmentMinor)}`,
        );
    };
    const reasons = (): void => {
      heading('Reasons');
      for (const r of d.reasons) {
        line(`${r.rank}. ${r.code} (${r.severity}) - ${r.message}`);
        if (r.counterfactual) line(`    If: ${r.counterfactual.message}`, { color: '#555555', size: 9 });
      }
      if (d.reasons.length === 0) line('No reasons.');
    };
    if (declined) {
      reasons();
      heading('Analysis');
      line('The figures the engine computed. The borrower was declined: no limit or counter-offer is offered.', {
        color: '#555555',
        size: 9,
      });
      figures();
    } else {
      figures();
      reasons();
    }
    const chain = d.limitChain;
    heading(`How this limit was set${declined ? ' (computed; not offered)' : ''}`);
    line(
      `Binding constraint: ${chain.bindingConstraint} (marked >>).${chain.reproduced ? ' The chain reproduces the stored limit.' : ' The chain does NOT reproduce the stored limit.'}`,
      {
        size: 9,
        color: '#555555',
      },
    );
    if (chain.headlineNote) line(chain.headlineNote, { size: 9 });
    for (const st of chain.steps) {
      line(
        `${st.binding ? '>> ' : '   '}${declined && st.key === 'recommended_limit' ? 'Computed limit (not offered)' : st.label}: ${chainValue(st.unit, st.value, ngn)}   [${st.formula}]`,
        {
          bold: st.binding,
          size: 9,
          color: st.binding ? '#7a4a00' : '#222222',
        },
      );
    }
    for (const h of chain.riskFactors) line(`   Risk factor ${h.code} x ${h.factor}: ${h.why}`, { size: 8, color: '#555555' });
    line('Free cash flow by month (qualifying inflow / essential outflow):', { size: 9, bold: true });
    for (const m of chain.freeCashFlow.months)
      line(`   ${m.month}: ${ngn(m.qualifyingInflowMinor)} / ${ngn(m.essentialOutflowMinor)}`, { size: 8 });
    const fc = chain.freeCashFlow;
    line(
      `   Median ${ngn(fc.medianQualifyingInflowMinor)} - median ${ngn(fc.medianEssentialOutflowMinor)} - obligations ${ngn(fc.existingObligationsMinor)} = ${ngn(fc.freeCashFlowMinor)}`,
      { size: 8 },
    );
  } else {
    line('No decision has been made for this borrower yet.');
  }

  if (d) {
    const charts = borrowerCharts(report, null, { symbol: 'NGN ' });
    for (const chart of [charts.cashFlow, charts.balance, charts.income]) drawChart(doc, chart, width, ensure);
    const cf = report.cashFlow;
    if (cf)
      line(
        `Average daily balance ${ngn(cf.averageDailyBalanceMinor)}, minimum ${ngn(cf.minimumDailyBalanceMinor)}; ${cf.negativeBalanceDays} negative and ${cf.lowBalanceDays} low-balance days; trend ${cf.trend}`,
        { size: 9 },
      );

    heading('Income streams');
    for (const s of report.income?.streams ?? []) {
      line(
        `${s.key} ${s.label}: ${s.frequency}, ${s.status}${s.missed ? ` (${s.missed.note})` : ''}, ${ngn(s.monthlyAmountMinor)} / month (counted ${ngn(s.countedMonthlyMinor)}), confidence ${pct(s.confidence)}, ${s.payments.length} payments, next ${s.predictedNextDate ?? '-'}`,
      );
    }
    if ((report.income?.streams ?? []).length === 0) line('No income streams detected.');
    line(`Irregular income counted: ${ngn(report.income?.irregularMonthlyMinor)} / month`);
    const p2p = report.income?.personToPerson;
    if (p2p)
      line(`Credits from individuals not counted: ${ngn(p2p.amountMinor)} from ${p2p.payers} ${p2p.payers === 1 ? 'person' : 'people'}`);
    const monoIncome = report.income?.monoCrosscheck;
    if (monoIncome) {
      line(`Mono's income estimate (cross-check): ${monoIncome.summary}`);
      if (monoIncome.reason) line(monoIncome.reason);
    }

    heading('Obligations by lender');
    for (const l of report.obligations?.lenders ?? [])
      line(
        `${l.lender}: ${ngn(l.monthlyMinor)} / month, ${l.payments90d} payments in 90 days (${ngn(l.total90dMinor)}), last ${l.lastDate}`,
      );
    if ((report.obligations?.lenders ?? []).length === 0) line('No repayments to other lenders.');
    const disb = report.obligations?.disbursements;
    if (disb) line(`Loan disbursements: ${disb.last30dCount} in 30 days, ${disb.last90dCount} in 90 days (${ngn(disb.last90dTotalMinor)})`);
  }

  const a = report.analysis;
  if (a) {
    heading('Statement analysis');
    line(
      `${a.transactionCount} transactions the decision saw, ${a.from ?? '-'} -> ${a.to ?? '-'}. Balances are end-of-day, summed over accounts.`,
      {
        size: 9,
        color: '#555555',
      },
    );
    line('Month: credits (n) | debits (n) | net | opening -> closing | min | average | salary | charges', { size: 8, bold: true });
    for (const m of a.months)
      line(
        `${m.month}${m.partial ? ' (partial)' : ''}: ${ngn(m.creditsMinor)} (${m.creditCount}) | ${ngn(m.debitsMinor)} (${m.debitCount}) | ${ngn(m.netMinor)} | ${ngn(m.openingBalanceMinor)} -> ${ngn(m.closingBalanceMinor)} | ${ngn(m.minBalanceMinor)} | ${ngn(m.averageBalanceMinor)} | ${ngn(m.salaryMinor)} | ${ngn(m.chargesMinor)}`,
        { size: 8 },
      );
    line('Spend by category per month:', { size: 9, bold: true });
    for (const c of a.categories.filter((x) => x.direction === 'debit'))
      line(`${c.category}: ${a.months.map((m, k) => `${m.month} ${ngn(c.byMonth[k])}`).join(', ')}; total ${ngn(c.totalMinor)}`, {
        size: 8,
      });
    for (const [title, list] of [
      ['Top counterparties paying in', a.topCounterparties.credits],
      ['Top counterparties paid', a.topCounterparties.debits],
    ] as const) {
      line(`${title}:`, { size: 9, bold: true });
      for (const c of list)
        line(`${c.name}: ${ngn(c.totalMinor)} in ${c.count} transactions (${pct(c.share)}), ${c.firstDate} -> ${c.lastDate}`, { size: 8 });
      if (list.length === 0) line('None.', { size: 8 });
    }
    line('Recurring debits (3+ months, within 25% of the typical payment):', { size: 9, bold: true });
    for (const r of a.recurringDebits)
      line(
        `${r.counterparty} (${r.kind.replace(/_/g, ' ')}, ${r.category}): ${ngn(r.typicalAmountMinor)} typical, ${r.count} payments in ${r.months} months, total ${ngn(r.totalMinor)}, last ${r.lastDate}`,
        { size: 8 },
      );
    if (a.recurringDebits.length === 0) line('No recurring debits.', { size: 8 });
  }

  heading('Flags');
  const f = report.flags;
  line(f.codes.length ? f.codes.join(', ') : 'No flags.');
  if (f.gambling)
    line(`Gambling: stakes ${ngn(f.gambling.stakesMinor)}, payouts ${ngn(f.gambling.payoutsMinor)}, share ${pct(f.gambling.share)}`);
  if (f.passThrough) line(`Pass-through: ${f.passThrough.detected ? 'detected' : 'not detected'} (share ${pct(f.passThrough.share)})`);
  if (f.chronicOverdraft?.detected)
    line(
      `Chronic overdraft: balance${f.chronicOverdraft.accountId ? ` of account ${f.chronicOverdraft.accountId}` : ''} negative on ${f.chronicOverdraft.negativeDays} of ${f.chronicOverdraft.windowDays} days`,
    );
  line(`Data integrity: ${f.integrity.balanceBreaks} balance breaks; ${f.integrity.openFindings.length} open findings`);

  heading('Linked accounts');
  for (const a of report.accounts) {
    line(
      `${a.institution ?? '-'} ${a.accountNumber ?? ''}: ${a.dataStatus}, last sync ${lagosTime(a.lastSyncedAt, 'never')}${a.freshnessHours !== null ? ` (${a.freshnessHours}h ago)` : ''}${a.reauthRequired ? `, REAUTH REQUIRED since ${lagosTime(a.reauthRequiredSince, '?')}` : ''}`,
    );
  }
  if (report.accounts.length === 0) line('No linked accounts.');

  if (d) {
    heading('Analyst notes');
    const [current, ...older] = report.notes;
    if (!current) line('No note on this decision.');
    else {
      line(`Version ${current.version} by ${current.author}, ${lagosTime(current.createdAt)}`, { color: '#555555', size: 8 });
      line(current.body);
      if (older.length)
        line(`${older.length} earlier version(s), the latest by ${older[0].author} at ${lagosTime(older[0].createdAt)}.`, {
          color: '#555555',
          size: 8,
        });
    }
  }

  heading('Decision history');
  for (const h of report.history) {
    line(`${lagosTime(h.createdAt)} ${h.trigger}: ${h.decision}, limit ${ngn(h.recommendedLimitMinor)}`, {
      bold: d?.id === h.id,
    });
    const changes = h.changes.map((c) => `${c.field} ${displayValue(c.field, c.from)} -> ${displayValue(c.field, c.to)}`);
    if (h.reasonsAdded.length) changes.push(`+reasons ${h.reasonsAdded.join(' ')}`);
    if (h.reasonsRemoved.length) changes.push(`-reasons ${h.reasonsRemoved.join(' ')}`);
    if (changes.length) line(`    ${changes.join('; ')}`, { color: '#555555', size: 8 });
  }
  doc.end();
  return done;
}

/** Draws a chart's shapes as vector paths, scaled to the page width. */
function drawChart(doc: PDFKit.PDFDocument, chart: Chart, width: number, ensure: (h: number) => void): void {
  const scale = width / chart.width;
  const h = chart.height * scale;
  ensure(h + 10);
  doc.moveDown(0.5);
  const top = doc.y;
  doc.save();
  doc.translate(MARGIN, top).scale(scale);
  for (const s of chart.shapes) drawShape(doc, s);
  doc.restore();
  doc.x = MARGIN;
  doc.y = top + h + 4;
}

function drawShape(doc: PDFKit.PDFDocument, s: Shape): void {
  switch (s.kind) {
    case 'rect':
      doc.rect(s.x, s.y, s.w, s.h).fill(s.fill);
      break;
    case 'line':
      doc.moveTo(s.x1, s.y1).lineTo(s.x2, s.y2).lineWidth(s.width);
      if (s.dash) doc.dash(s.dash, { space: s.dash });
      doc.stroke(s.stroke);
      doc.undash();
      break;
    case 'polyline': {
      if (s.points.length === 0) break;
      if (s.fill) {
        doc
          .polygon(...s.points)
          .lineWidth(s.width)
          .fillAndStroke(s.fill, s.stroke);
      } else {
        const [first, ...rest] = s.points;
        doc.moveTo(first[0], first[1]);
        for (const [x, y] of rest) doc.lineTo(x, y);
        doc.lineWidth(s.width).stroke(s.stroke);
      }
      break;
    }
    case 'circle':
      doc.circle(s.cx, s.cy, s.r).fill(s.fill);
      break;
    case 'text': {
      const text = pdfText(s.text);
      doc.font('Helvetica').fontSize(s.size).fillColor(s.fill);
      const w = doc.widthOfString(text);
      const x = s.anchor === 'middle' ? s.x - w / 2 : s.anchor === 'end' ? s.x - w : s.x;
      doc.text(text, x, s.y - s.size * 0.8, { lineBreak: false });
      break;
    }
    default: {
      const never: never = s;
      throw new Error(`unknown shape ${String(never)}`);
    }
  }
}
