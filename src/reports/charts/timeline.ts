import { COLORS, labelEvery, r1, type Chart, type Shape } from './shapes.js';

export interface TimelineMark {
  /** `YYYY-MM-DD`. */
  date: string;
  amountLabel: string;
  href?: string;
  transactionId: string;
}

export interface TimelineRow {
  key: string;
  label: string;
  /** Row label link (the stream's drill-down). */
  href?: string;
  active: boolean;
  marks: TimelineMark[];
  predictedNextDate: string | null;
}

export interface TimelineOptions {
  id: string;
  title: string;
  rows: TimelineRow[];
  /** Axis range; defaults to the marks' range. */
  from?: string;
  to?: string;
  width?: number;
}

const PAD = { left: 170, right: 16, top: 30, bottom: 28 };
const ROW_H = 26;

function epochDay(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

function monthStarts(from: number, to: number): string[] {
  const out: string[] = [];
  const d = new Date(from * 86_400_000);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth() + 1;
  for (;;) {
    const s = `${y}-${String(m).padStart(2, '0')}-01`;
    if (epochDay(s) > to) break;
    if (epochDay(s) >= from) out.push(s);
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/**
 * Income streams on a time axis: one row per stream, each payment a `circle.payment` (linked to that
 * transaction), the predicted next date a hollow `polyline.predicted` diamond.
 */
export function timeline(opts: TimelineOptions): Chart {
  const width = opts.width ?? 720;
  const rows = opts.rows;
  const height = PAD.top + Math.max(1, rows.length) * ROW_H + PAD.bottom;
  const dates = rows.flatMap((r) => [...r.marks.map((m) => m.date), ...(r.predictedNextDate ? [r.predictedNextDate] : [])]);
  // The axis spans the data's real range (the given range widened to every mark); with no range and no marks there
  // is no axis at all (never a made-up 1970 one).
  const sorted = [...dates, ...(opts.from ? [opts.from] : []), ...(opts.to ? [opts.to] : [])].sort();
  const hasAxis = sorted.length > 0;
  const from = hasAxis ? epochDay(sorted[0]) : 0;
  const to = Math.max(from + 1, hasAxis ? epochDay(sorted[sorted.length - 1]) : 1);
  const plotW = width - PAD.left - PAD.right;
  const x = (date: string): number => PAD.left + ((epochDay(date) - from) / (to - from)) * plotW;
  const shapes: Shape[] = [];
  shapes.push({ kind: 'text', x: 8, y: 16, text: opts.title, size: 13, anchor: 'start', fill: COLORS.text, cls: 'chart-title' });
  const axisY = PAD.top + Math.max(1, rows.length) * ROW_H;
  const starts = hasAxis ? monthStarts(from, to) : [];
  // Label every k-th month so that neighbouring labels never touch (a month is about 30 days of the plot).
  const monthPx = (30.44 / (to - from)) * plotW;
  const every = labelEvery(monthPx, 7, 10);
  for (const [k, m] of starts.entries()) {
    shapes.push({ kind: 'line', x1: r1(x(m)), y1: PAD.top, x2: r1(x(m)), y2: axisY, stroke: COLORS.grid, width: 0.5, cls: 'grid' });
    if (k % every !== 0) continue;
    shapes.push({
      kind: 'text',
      x: r1(x(m)),
      y: axisY + 14,
      text: m.slice(0, 7),
      size: 10,
      anchor: 'middle',
      fill: COLORS.muted,
      cls: 'x-label',
    });
  }
  if (rows.length === 0) {
    shapes.push({
      kind: 'text',
      x: PAD.left,
      y: PAD.top + 16,
      text: 'No income streams detected',
      size: 11,
      anchor: 'start',
      fill: COLORS.muted,
    });
  }
  rows.forEach((row, i) => {
    const cy = PAD.top + i * ROW_H + ROW_H / 2;
    const color = row.active ? COLORS.inflow : COLORS.inactive;
    const label = row.label.length > 26 ? `${row.label.slice(0, 25)}…` : row.label;
    shapes.push({
      kind: 'text',
      x: 8,
      y: r1(cy + 4),
      text: label,
      size: 11,
      anchor: 'start',
      fill: COLORS.text,
      cls: 'stream-label',
      href: row.href,
      title: row.label,
      data: { stream: row.key },
    });
    shapes.push({
      kind: 'line',
      x1: PAD.left,
      y1: r1(cy),
      x2: width - PAD.right,
      y2: r1(cy),
      stroke: COLORS.grid,
      width: 1,
      cls: 'stream-row',
    });
    for (const m of row.marks) {
      shapes.push({
        kind: 'circle',
        cx: r1(x(m.date)),
        cy: r1(cy),
        r: 4,
        fill: color,
        cls: 'payment',
        href: m.href,
        title: `${row.label} ${m.date}: ${m.amountLabel}`,
        data: { stream: row.key, transaction: m.transactionId, date: m.date },
      });
    }
    if (row.predictedNextDate) {
      const px = x(row.predictedNextDate);
      shapes.push({
        kind: 'polyline',
        points: [
          [r1(px), r1(cy - 6)],
          [r1(px + 6), r1(cy)],
          [r1(px), r1(cy + 6)],
          [r1(px - 6), r1(cy)],
        ],
        stroke: COLORS.predicted,
        width: 1.5,
        fill: '#ffffff',
        cls: 'predicted',
        title: `${row.label}: next payment expected ${row.predictedNextDate}`,
        data: { stream: row.key, date: row.predictedNextDate },
      });
    }
  });
  return {
    id: opts.id,
    title: opts.title,
    width,
    height,
    shapes,
    description: `${opts.title}: ${rows.length} streams, ${rows.reduce((s, r) => s + r.marks.length, 0)} payments`,
  };
}
