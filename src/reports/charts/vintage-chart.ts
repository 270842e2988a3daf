import { COLORS, niceTicks, r1, titleAndValueGrid, type Chart, type Shape } from './shapes.js';

export interface VintageSeries {
  /** Disbursement month `YYYY-MM`. */
  cohort: string;
  points: Array<{ monthsOnBook: number; share: number }>;
}

const PAD = { left: 52, right: 12, top: 28, bottom: 56 };
const PALETTE = ['#1565c0', '#2e7d32', '#c62828', '#6a1b9a', '#ef6c00', '#00838f', '#5d4037', '#ad1457', '#455a64', '#827717'];

/**
 * Vintage curves: one line per disbursement month, x = months on book, y = share of the cohort's disbursed
 * principal ever more than 30 days past due (0–100%). Each point is a `circle.vintage-point` with its cohort and
 * value, so a test (or a reader hovering) can read every figure; the legend names each cohort. Pass at most
 * seven cohorts (the page draws the latest ones; its table lists them all).
 */
export function vintageChart(opts: { id: string; title: string; series: VintageSeries[]; width?: number; height?: number }): Chart {
  const width = opts.width ?? 720;
  const height = opts.height ?? 280;
  const shapes: Shape[] = [];
  const maxMob = Math.max(1, ...opts.series.flatMap((s) => s.points.map((p) => p.monthsOnBook)));
  const maxShare = Math.max(0.05, ...opts.series.flatMap((s) => s.points.map((p) => p.share)));
  const ticks = niceTicks(0, Math.min(1, maxShare), 4);
  const hi = ticks[ticks.length - 1] || 1;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (mob: number): number => PAD.left + (maxMob === 1 ? plotW / 2 : ((mob - 1) / (maxMob - 1)) * plotW);
  const y = (v: number): number => PAD.top + plotH - (v / hi) * plotH;
  shapes.push(...titleAndValueGrid({ title: opts.title, ticks, y, left: PAD.left, right: width - PAD.right, format: (v) => `${r1(v * 100)}%` }));
  for (let mob = 1; mob <= maxMob; mob++) {
    shapes.push({ kind: 'text', x: r1(x(mob)), y: height - PAD.bottom + 16, text: String(mob), size: 10, anchor: 'middle', fill: COLORS.muted, cls: 'x-label' });
  }
  shapes.push({ kind: 'text', x: r1(PAD.left + plotW / 2), y: height - PAD.bottom + 30, text: 'months on book', size: 10, anchor: 'middle', fill: COLORS.muted, cls: 'x-title' });
  opts.series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    if (s.points.length > 1) shapes.push({ kind: 'polyline', points: s.points.map((p) => [r1(x(p.monthsOnBook)), r1(y(p.share))]), stroke: color, width: 1.5, cls: 'vintage-line', data: { cohort: s.cohort } });
    for (const p of s.points)
      shapes.push({
        kind: 'circle',
        cx: r1(x(p.monthsOnBook)),
        cy: r1(y(p.share)),
        r: 2.5,
        fill: color,
        cls: 'vintage-point',
        title: `${s.cohort}, month ${p.monthsOnBook} on book: ${r1(p.share * 100)}% ever 30+ DPD`,
        data: { cohort: s.cohort, mob: String(p.monthsOnBook), share: String(p.share) },
      });
    const lx = PAD.left + k * 90;
    const ly = height - 6;
    shapes.push({ kind: 'rect', x: lx, y: ly - 9, w: 10, h: 10, fill: color, cls: 'legend' });
    shapes.push({ kind: 'text', x: lx + 14, y: ly, text: s.cohort, size: 10, anchor: 'start', fill: COLORS.text, cls: 'legend' });
  });
  return {
    id: opts.id,
    title: opts.title,
    width,
    height,
    shapes,
    description: `${opts.title}: ${opts.series.length} disbursement months over ${maxMob} months on book`,
  };
}
