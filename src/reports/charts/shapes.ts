/**
 * Charts are built once as plain geometry (a list of shapes) and then rendered twice: to inline SVG for the
 * HTML pages and to vector paths in the PDF. Builders are pure: same data in, same shapes out.
 */
export interface ShapeBase {
  /** CSS class on the SVG element (tests and styles hook onto it). */
  cls?: string;
  /** Drill-down link: the SVG wraps the shape in `<a href>`; the PDF ignores it. */
  href?: string;
  /** Hover text (`<title>` in SVG). */
  title?: string;
  /** Extra `data-*` attributes on the SVG element. */
  data?: Record<string, string>;
}

export interface RectShape extends ShapeBase {
  kind: 'rect';
  x: number;
  y: number;
  w: number;
  h: number;
  fill: string;
}

export interface LineShape extends ShapeBase {
  kind: 'line';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  stroke: string;
  width: number;
  dash?: number;
}

export interface PolylineShape extends ShapeBase {
  kind: 'polyline';
  points: Array<[number, number]>;
  stroke: string;
  width: number;
  /** Closed and filled polygon when set. */
  fill?: string;
}

export interface CircleShape extends ShapeBase {
  kind: 'circle';
  cx: number;
  cy: number;
  r: number;
  fill: string;
  stroke?: string;
}

export interface TextShape extends ShapeBase {
  kind: 'text';
  x: number;
  y: number;
  text: string;
  size: number;
  anchor: 'start' | 'middle' | 'end';
  fill: string;
}

export type Shape = RectShape | LineShape | PolylineShape | CircleShape | TextShape;

export interface Chart {
  /** Machine name (`monthly-cash-flow`, `daily-balance`, `income-timeline`). */
  id: string;
  title: string;
  width: number;
  height: number;
  shapes: Shape[];
  /** One line describing the chart for screen readers and the PDF caption. */
  description: string;
}

export const COLORS = {
  inflow: '#2e7d32',
  outflow: '#c62828',
  net: '#1565c0',
  axis: '#666666',
  grid: '#e0e0e0',
  text: '#222222',
  muted: '#777777',
  balance: '#1565c0',
  negative: '#c62828',
  low: '#ef6c00',
  predicted: '#6a1b9a',
  inactive: '#9e9e9e',
} as const;

/** Rounds a coordinate to 0.1 so the markup stays short and stable. */
export function r1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** About `count` round tick values covering [min, max] (1, 2, 2.5, 5 × 10^k steps). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (min === max) {
    if (min === 0) return [0, 1];
    [min, max] = min > 0 ? [0, max] : [min, 0];
  }
  const span = max - min;
  const rough = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= rough) ?? 10 * mag;
  const start = Math.floor(min / step) * step;
  const end = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

/** Compact naira for axis labels from kobo: 150000000 → "₦1.5m". */
export function compactNaira(kobo: number, symbol = '₦'): string {
  const naira = kobo / 100;
  const abs = Math.abs(naira);
  const sign = naira < 0 ? '-' : '';
  if (abs >= 1e9) return `${sign}${symbol}${trim(abs / 1e9)}bn`;
  if (abs >= 1e6) return `${sign}${symbol}${trim(abs / 1e6)}m`;
  if (abs >= 1e3) return `${sign}${symbol}${trim(abs / 1e3)}k`;
  return `${sign}${symbol}${trim(abs)}`;
}

function trim(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, '');
}

/** The chart title and the horizontal value grid with its tick labels (shared by the bar and line charts). */
export function titleAndValueGrid(opts: {
  title: string;
  ticks: readonly number[];
  y: (v: number) => number;
  left: number;
  right: number;
  format: (v: number) => string;
}): Shape[] {
  const shapes: Shape[] = [
    { kind: 'text', x: opts.left, y: 16, text: opts.title, size: 13, anchor: 'start', fill: COLORS.text, cls: 'chart-title' },
  ];
  for (const t of opts.ticks) {
    shapes.push({
      kind: 'line',
      x1: opts.left,
      y1: r1(opts.y(t)),
      x2: opts.right,
      y2: r1(opts.y(t)),
      stroke: t === 0 ? COLORS.axis : COLORS.grid,
      width: t === 0 ? 1 : 0.5,
      cls: t === 0 ? 'axis zero' : 'grid',
    });
    shapes.push({
      kind: 'text',
      x: opts.left - 6,
      y: r1(opts.y(t) + 4),
      text: opts.format(t),
      size: 10,
      anchor: 'end',
      fill: COLORS.muted,
      cls: 'tick',
    });
  }
  return shapes;
}

/** Estimated width of a label of `chars` characters at `size` px (Helvetica/system sans digits are ≈ 0.6 em). */
export function labelWidth(chars: number, size: number): number {
  return chars * size * 0.6;
}

/** Minimum clear space between two axis labels, px. */
export const LABEL_GAP = 6;

/** Label every k-th tick so labels `spacingPx` apart never overlap: k = ⌈(width + gap) / spacing⌉, at least 1. */
export function labelEvery(spacingPx: number, chars: number, size: number): number {
  if (!(spacingPx > 0)) return 1;
  return Math.max(1, Math.ceil((labelWidth(chars, size) + LABEL_GAP) / spacingPx));
}
