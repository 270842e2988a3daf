import { COLORS, compactNaira, labelEvery, niceTicks, r1, titleAndValueGrid, type Chart, type Shape } from './shapes.js';

export interface BarSeries {
  key: string;
  label: string;
  color: string;
}

export interface BarGroup {
  /** Axis label, e.g. `2026-03`. */
  label: string;
  /** One value per series (same order), integer kobo. */
  values: number[];
  /** Drill-down link for the whole group (every bar of it). */
  href?: string;
}

export interface BarChartOptions {
  id: string;
  title: string;
  series: BarSeries[];
  groups: BarGroup[];
  width?: number;
  height?: number;
  /** Axis label formatter (kobo → text). */
  format?: (kobo: number) => string;
}

const PAD = { left: 64, right: 12, top: 28, bottom: 44 };

/**
 * Grouped vertical bars around a zero baseline (net can be negative). One `rect.bar` per (group, series) with
 * `data-series` / `data-group`, each linked to the group's drill-down.
 */
export function barChart(opts: BarChartOptions): Chart {
  const width = opts.width ?? 720;
  const height = opts.height ?? 280;
  const format = opts.format ?? ((k: number) => compactNaira(k));
  const shapes: Shape[] = [];
  const all = opts.groups.flatMap((g) => g.values);
  const ticks = niceTicks(Math.min(0, ...all), Math.max(0, ...all), 5);
  const lo = ticks[0] ?? 0;
  const hi = ticks[ticks.length - 1] ?? 1;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const y = (v: number): number => PAD.top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;

  shapes.push(...titleAndValueGrid({ title: opts.title, ticks, y, left: PAD.left, right: width - PAD.right, format }));
  const n = opts.groups.length;
  const slot = n > 0 ? plotW / n : plotW;
  const barW = Math.max(2, Math.min(28, (slot * 0.8) / Math.max(1, opts.series.length)));
  const maxChars = Math.max(1, ...opts.groups.map((g) => g.label.length));
  const every = Math.max(Math.ceil(n / 12), labelEvery(slot, maxChars, 10));
  opts.groups.forEach((g, gi) => {
    const groupX = PAD.left + gi * slot + (slot - barW * opts.series.length) / 2;
    opts.series.forEach((s, si) => {
      const v = g.values[si] ?? 0;
      const top = y(Math.max(0, v));
      const bottom = y(Math.min(0, v));
      shapes.push({
        kind: 'rect',
        x: r1(groupX + si * barW),
        y: r1(top),
        w: r1(barW - 1),
        h: r1(Math.max(0.5, bottom - top)),
        fill: s.color,
        cls: `bar bar-${s.key}`,
        href: g.href,
        title: `${g.label} ${s.label}: ${format(v)}`,
        data: { series: s.key, group: g.label, value: String(v) },
      });
    });
    if (gi % every === 0) {
      shapes.push({
        kind: 'text',
        x: r1(PAD.left + gi * slot + slot / 2),
        y: height - PAD.bottom + 16,
        text: g.label,
        size: 10,
        anchor: 'middle',
        fill: COLORS.muted,
        cls: 'x-label',
        href: g.href,
      });
    }
  });
  // Legend.
  let lx = PAD.left;
  for (const s of opts.series) {
    shapes.push({ kind: 'rect', x: lx, y: height - 16, w: 10, h: 10, fill: s.color, cls: 'legend' });
    shapes.push({ kind: 'text', x: lx + 14, y: height - 7, text: s.label, size: 10, anchor: 'start', fill: COLORS.text, cls: 'legend' });
    lx += 14 + s.label.length * 6 + 18;
  }
  return {
    id: opts.id,
    title: opts.title,
    width,
    height,
    shapes,
    description: `${opts.title}: ${n} groups × ${opts.series.map((s) => s.label).join(', ')}`,
  };
}
