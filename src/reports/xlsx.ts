import { Decimal } from 'decimal.js';
import ExcelJS from 'exceljs';
import type { ChainUnit } from './model/limit-chain.js';
import type { BorrowerReport } from './model/borrower-report.js';
import type { TransactionRow } from './reports.repository.js';
import { lagosTime } from './views/format.js';

/**
 * The borrower report as an Excel workbook (exceljs): Summary (headline figures and the limit chain), Months,
 * Categories, Counterparties, Streams and Transactions (every transaction the decision saw, with its category and
 * rule). Every figure comes from the report model, nothing is recomputed here. Money is written as naira numbers
 * (kobo ÷ 100 with decimal.js) with a `#,##0.00` format; the Transactions sheet also keeps the exact kobo.
 * exceljs writes text as text (never as a formula), so a narration starting with `=` stays inert.
 */
export const XLSX_SHEETS = ['Summary', 'Months', 'Categories', 'Counterparties', 'Streams', 'Transactions'] as const;
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const NAIRA_FORMAT = '#,##0.00';
const PERCENT_FORMAT = '0.00%';

function naira(kobo: number | null | undefined): number | null {
  return kobo === null || kobo === undefined ? null : new Decimal(kobo).div(100).toNumber();
}

function ratio(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : new Decimal(value).toNumber();
}

type Col = { header: string; key: string; width?: number; format?: string };

function sheet(wb: ExcelJS.Workbook, name: string, cols: Col[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = cols.map((c) => ({ header: c.header, key: c.key, width: c.width ?? 16, style: c.format ? { numFmt: c.format } : {} }));
  ws.getRow(1).font = { bold: true };
  return ws;
}

function chainCell(unit: ChainUnit, value: number | string | null): { value: number | string | null; format?: string } {
  if (value === null) return { value: null };
  if (unit === 'kobo') return { value: naira(Number(value)), format: NAIRA_FORMAT };
  if (unit === 'ratio' || unit === 'rate') return { value: ratio(String(value)), format: '0.00##%' };
  if (unit === 'factor') return { value: ratio(String(value)), format: '0.######' };
  return { value: Number(value) };
}

export async function renderBorrowerXlsx(report: BorrowerReport, transactions: readonly TransactionRow[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'mono-underwriting-engine';
  wb.created = new Date(report.generatedAt);
  const d = report.decision;

  const summary = sheet(wb, 'Summary', [
    { header: 'Item', key: 'item', width: 38 },
    { header: 'Value', key: 'value', width: 22 },
    { header: 'Note', key: 'note', width: 70 },
  ]);
  const put = (item: string, value: number | string | null, format?: string, note?: string): void => {
    const row = summary.addRow({ item, value, note: note ?? null });
    if (format) row.getCell('value').numFmt = format;
  };
  put('Borrower', report.borrower.fullName);
  put('External id', report.borrower.externalId);
  put('Report generated', lagosTime(report.generatedAt));
  if (d) {
    put('Decision', d.decision);
    put(d.decision === 'decline' ? 'Computed limit (not offered)' : 'Recommended limit', naira(d.recommendedLimitMinor), NAIRA_FORMAT);
    put('Instalment', naira(d.instalmentMinor), NAIRA_FORMAT, `${d.tenorMonths} months`);
    put('Max instalment', naira(d.maxInstalmentMinor), NAIRA_FORMAT);
    put('Binding constraint', d.bindingConstraint);
    put('Post-loan DSR', ratio(d.postLoanDsr), PERCENT_FORMAT);
    put('Verified monthly income', naira(report.income?.verifiedMonthlyMinor), NAIRA_FORMAT);
    put('Existing obligations / month', naira(report.obligations?.monthlyTotalMinor), NAIRA_FORMAT);
    put('Free cash flow / month', naira(report.cashFlow?.freeCashFlowMinor), NAIRA_FORMAT);
    put('Decision made', lagosTime(d.createdAt), undefined, d.id);
    put('Data as of', d.asOf);
    put('Policy version', d.policyVersion);
    put('Engine version', d.engineVersion);
    summary.addRow({});
    const title = summary.addRow({
      item: 'How this limit was set',
      note: d.limitChain.reproduced ? 'the chain reproduces the stored limit' : 'NOT reproduced',
    });
    title.font = { bold: true };
    for (const s of d.limitChain.steps) {
      const cell = chainCell(s.unit, s.value);
      const row = summary.addRow({ item: s.label, value: cell.value, note: `${s.formula}${s.binding ? ' — BINDING' : ''}` });
      if (cell.format) row.getCell('value').numFmt = cell.format;
      if (s.binding) row.font = { bold: true };
    }
    for (const h of d.limitChain.riskFactors) put(`Risk factor ${h.code}`, ratio(h.factor), '0.######', h.why);
    summary.addRow({});
    const reasons = summary.addRow({ item: 'Reasons' });
    reasons.font = { bold: true };
    for (const r of d.reasons) summary.addRow({ item: `${r.rank}. ${r.code} (${r.severity})`, note: r.message });
  } else {
    put('Decision', 'none yet');
  }

  const a = report.analysis;
  const months = sheet(wb, 'Months', [
    { header: 'Month', key: 'month', width: 10 },
    { header: 'Partial', key: 'partial', width: 8 },
    { header: 'Credits', key: 'credits', format: NAIRA_FORMAT },
    { header: 'Credit count', key: 'creditCount', width: 12 },
    { header: 'Debits', key: 'debits', format: NAIRA_FORMAT },
    { header: 'Debit count', key: 'debitCount', width: 12 },
    { header: 'Net', key: 'net', format: NAIRA_FORMAT },
    { header: 'Opening balance', key: 'opening', format: NAIRA_FORMAT },
    { header: 'Closing balance', key: 'closing', format: NAIRA_FORMAT },
    { header: 'Minimum balance', key: 'min', format: NAIRA_FORMAT },
    { header: 'Average balance', key: 'avg', format: NAIRA_FORMAT },
    { header: 'Salary', key: 'salary', format: NAIRA_FORMAT },
    { header: 'Salary payments', key: 'salaryCount', width: 14 },
    { header: 'Charges', key: 'charges', format: NAIRA_FORMAT },
    { header: 'Engine inflow', key: 'engineIn', format: NAIRA_FORMAT },
    { header: 'Engine outflow', key: 'engineOut', format: NAIRA_FORMAT },
  ]);
  for (const m of a?.months ?? [])
    months.addRow({
      month: m.month,
      partial: m.partial ? 'yes' : 'no',
      credits: naira(m.creditsMinor),
      creditCount: m.creditCount,
      debits: naira(m.debitsMinor),
      debitCount: m.debitCount,
      net: naira(m.netMinor),
      opening: naira(m.openingBalanceMinor),
      closing: naira(m.closingBalanceMinor),
      min: naira(m.minBalanceMinor),
      avg: naira(m.averageBalanceMinor),
      salary: naira(m.salaryMinor),
      salaryCount: m.salaryCount,
      charges: naira(m.chargesMinor),
      engineIn: naira(m.engineInflowMinor),
      engineOut: naira(m.engineOutflowMinor),
    });

  const monthKeys = (a?.months ?? []).map((m) => m.month);
  const categories = sheet(wb, 'Categories', [
    { header: 'Category', key: 'category', width: 20 },
    { header: 'Direction', key: 'direction', width: 10 },
    ...monthKeys.map((m) => ({ header: m, key: `m${m}`, format: NAIRA_FORMAT })),
    { header: 'Total', key: 'total', format: NAIRA_FORMAT },
    { header: 'Transactions', key: 'count', width: 12 },
  ]);
  for (const c of a?.categories ?? []) {
    const row: Record<string, unknown> = { category: c.category, direction: c.direction, total: naira(c.totalMinor), count: c.count };
    monthKeys.forEach((m, k) => (row[`m${m}`] = naira(c.byMonth[k])));
    categories.addRow(row);
  }

  const counterparties = sheet(wb, 'Counterparties', [
    { header: 'Direction', key: 'direction', width: 10 },
    { header: 'Counterparty', key: 'name', width: 32 },
    { header: 'Transactions', key: 'count', width: 12 },
    { header: 'Total', key: 'total', format: NAIRA_FORMAT },
    { header: 'Share', key: 'share', format: PERCENT_FORMAT, width: 10 },
    { header: 'First', key: 'first', width: 12 },
    { header: 'Last', key: 'last', width: 12 },
    { header: 'Categories', key: 'categories', width: 30 },
    { header: 'Recurring', key: 'recurring', width: 22 },
  ]);
  const recurring = new Map((a?.recurringDebits ?? []).map((r) => [r.counterparty, r]));
  for (const c of [...(a?.topCounterparties.credits ?? []), ...(a?.topCounterparties.debits ?? [])]) {
    const r = c.direction === 'debit' ? recurring.get(c.name) : undefined;
    counterparties.addRow({
      direction: c.direction,
      name: c.name,
      count: c.count,
      total: naira(c.totalMinor),
      share: ratio(c.share),
      first: c.firstDate,
      last: c.lastDate,
      categories: c.categories.join(', '),
      recurring: r ? `${r.kind.replace(/_/g, ' ')}, ${r.months} months` : null,
    });
  }
  for (const r of a?.recurringDebits ?? [])
    if (!(a?.topCounterparties.debits ?? []).some((c) => c.name === r.counterparty))
      counterparties.addRow({
        direction: 'debit',
        name: r.counterparty,
        count: r.count,
        total: naira(r.totalMinor),
        categories: r.category,
        recurring: `${r.kind.replace(/_/g, ' ')}, ${r.months} months`,
      });

  const streams = sheet(wb, 'Streams', [
    { header: 'Stream', key: 'key', width: 8 },
    { header: 'Label', key: 'label', width: 30 },
    { header: 'Counterparty', key: 'counterparty', width: 30 },
    { header: 'Frequency', key: 'frequency', width: 12 },
    { header: 'Status', key: 'status', width: 12 },
    { header: 'Salary', key: 'salary', width: 8 },
    { header: 'Monthly', key: 'monthly', format: NAIRA_FORMAT },
    { header: 'Counted', key: 'counted', format: NAIRA_FORMAT },
    { header: 'Confidence', key: 'confidence', format: PERCENT_FORMAT, width: 11 },
    { header: 'First', key: 'first', width: 12 },
    { header: 'Last', key: 'last', width: 12 },
    { header: 'Next expected', key: 'next', width: 13 },
    { header: 'Payments', key: 'payments', width: 10 },
    { header: 'Missed', key: 'missed', width: 28 },
  ]);
  for (const s of report.income?.streams ?? [])
    streams.addRow({
      key: s.key,
      label: s.label,
      counterparty: s.counterparty,
      frequency: s.frequency,
      status: s.status,
      salary: s.isSalary ? 'yes' : 'no',
      monthly: naira(s.monthlyAmountMinor),
      counted: naira(s.countedMonthlyMinor),
      confidence: ratio(s.confidence),
      first: s.firstDate,
      last: s.lastDate,
      next: s.predictedNextDate,
      payments: s.payments.length,
      missed: s.missed?.note ?? null,
    });

  const txs = sheet(wb, 'Transactions', [
    { header: 'Transaction id', key: 'id', width: 38 },
    { header: 'Account id', key: 'account', width: 38 },
    { header: 'Booking date', key: 'date', width: 12 },
    { header: 'Direction', key: 'direction', width: 9 },
    { header: 'Amount', key: 'amount', format: NAIRA_FORMAT },
    { header: 'Signed amount', key: 'signed', format: NAIRA_FORMAT },
    { header: 'Amount (kobo)', key: 'kobo', width: 14 },
    { header: 'Balance', key: 'balance', format: NAIRA_FORMAT },
    { header: 'Currency', key: 'currency', width: 9 },
    { header: 'Category', key: 'category', width: 18 },
    { header: 'Category rule', key: 'rule', width: 26 },
    { header: 'Category source', key: 'source', width: 14 },
    { header: 'Counterparty', key: 'counterparty', width: 28 },
    { header: 'Narration', key: 'narration', width: 50 },
    { header: 'Status', key: 'status', width: 9 },
  ]);
  for (const t of transactions)
    txs.addRow({
      id: t.id,
      account: t.accountId,
      date: t.bookingDate,
      direction: t.direction,
      amount: naira(t.amountMinor),
      signed: naira(t.direction === 'credit' ? t.amountMinor : -t.amountMinor),
      kobo: t.amountMinor,
      balance: naira(t.balanceMinor),
      currency: t.currency,
      category: t.category,
      rule: t.categoryRule,
      source: t.categorySource,
      counterparty: t.counterparty,
      narration: t.narration,
      status: t.status,
    });
  txs.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: 15 } };

  return Buffer.from(await wb.xlsx.writeBuffer());
}
