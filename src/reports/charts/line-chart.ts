import {
  COLORS,
  compactNaira,
  LABEL_GAP,
  labelEvery,
  labelWidth,
  niceTicks,
  r1,
  titleAndValueGrid,
  type Chart,
  type Shape,
} from './shapes.js';

export interface LinePoint {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Integer kobo. */
  value: number;
  /** Drill-down link for this day (used on marked points). */
  href?: string;
}

export interface LineChartOptions {
  id: string;
  title: string;
  points: LinePoint[];
  /** Days below this are marked as low (orange) — negative days are always marked (red). */
  lowThreshold?: number;
  width?: number;
  height?: number;
  format?: (kobo: number) => string;
}

const PAD = { left: 64, right: 12, top: 28, bottom: 40 };

/**
 * A daily balance line. Every negative day gets a `circle.negative-day` marker and every low (but not negative)
 * day a `circle.low-day`, each linked to that day's transactions; a dashed line shows the low-balance threshold.
 */
export function lineChart(opts: LineChartOptions): Chart {
  const width = opts.width ?? 720;
  const height = opts.height ?? 260;
  const format = opts.format ?? ((k: number) => compactNaira(k));
  const shapes: Shape[] = [];
  const pts = opts.points;
  const values = pts.map((p) => p.value);
  if (opts.lowThreshold !== undefined) values.push(opts.lowThreshold);
  const ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values), 5);
  const lo = ticks[0] ?? 0;
  const hi = ticks[ticks.length - 1] ?? 1;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (i: number): number => PAD.left + (pts.length <= 1 ? plotW / 2 : (i / (pts.length - 1)) * plotW);
  const y = (v: number): number => PAD.top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;

  shapes.push(...titleAndValueGrid({ title: opts.title, ticks, y, left: PAD.left, right: width - PAD.right, format }));
  if (opts.lowThreshold !== undefined && opts.lowThreshold > 0) {
    shapes.push({
      kind: 'line',
      x1: PAD.left,
      y1: r1(y(opts.lowThreshold)),
      x2: width - PAD.right,
      y2: r1(y(opts.lowThreshold)),
      stroke: COLORS.low,
      width: 1,
      dash: 4,
      cls: 'threshold',
      title: `Low-balance threshold ${format(opts.lowThreshold)}`,
    });
  }
  if (pts.length > 0) {
    shapes.push({
      kind: 'polyline',
      points: pts.map((p, i) => [r1(x(i)), r1(y(p.value))]),
      stroke: COLORS.balance,
      width: 1.5,
      cls: 'balance-line',
    });
  }
  // Date labels: every k-th point so neighbours never touch, plus the last one (end-anchored) unless it would run
  // into the previous label, in which case that one is dropped instead.
  const step = pts.length > 1 ? plotW / (pts.length - 1) : plotW;
  const w = labelWidth(10, 10);
  const every = Math.max(Math.ceil(pts.length / 6), labelEvery(step, 10, 10));
  const labelled = new Set<number>();
  for (let i = 0; i < pts.length; i += every) labelled.add(i);
  if (pts.length > 1) {
    const last = pts.length - 1;
    const prev = Math.floor(last / every) * every;
    if (prev !== last && prev !== 0 && (last - prev) * step < w / 2 + w + LABEL_GAP) labelled.delete(prev);
    if (prev === 0 && last * step < w + w + LABEL_GAP) labelled.delete(last);
    else labelled.add(last);
  }
  pts.forEach((p, i) => {
    if (labelled.has(i)) {
      const anchor = i === 0 ? 'start' : i === pts.length - 1 ? 'end' : 'middle';
      shapes.push({
        kind: 'text',
        x: r1(x(i)),
        y: height - PAD.bottom + 16,
        text: p.date,
        size: 10,
        anchor,
        fill: COLORS.muted,
        cls: 'x-label',
      });
    }
    const negative = p.value < 0;
    const low = !negative && opts.lowThreshold !== undefined && p.value < opts.lowThreshold;
    if (negative || low) {
      shapes.push({
        kind: 'circle',
        cx: r1(x(i)),
        cy: r1(y(p.value)),
        r: negative ? 3 : 2,
        fill: negative ? COLORS.negative : COLORS.low,
        cls: negative ? 'point negative-day' : 'point low-day',
        href: p.href,
        title: `${p.date}: ${format(p.value)}${negative ? ' (negative)' : ' (low)'}`,
        data: { date: p.date, value: String(p.value) },
      });
    }
  });
  const negatives = pts.filter((p) => p.value < 0).length;
  return {
    id: opts.id,
    title: opts.title,
    width,
    height,
    shapes,
    description: `${opts.title}: ${pts.length} days, ${negatives} negative`,
  };
}
