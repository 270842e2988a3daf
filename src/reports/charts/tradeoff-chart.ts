import { COLORS, niceTicks, r1, titleAndValueGrid, type Chart, type Shape } from './shapes.js';

export interface TradeoffSeries {
  key: string;
  label: string;
  color: string;
  /** Cut-offs from best rank to worst: approval rate and 30+ DPD rate of the approved (4-place decimal strings). */
  points: Array<{ approvalRate: string; bad30Rate: string | null; rank: string }>;
  /** The policy's own operating point. */
  operating: { approvalRate: string; bad30Rate: string | null };
}

const PAD = { left: 56, right: 16, top: 28, bottom: 44 };
const pct = (v: number): string => `${(v * 100).toFixed(v * 100 < 10 && v !== 0 ? 1 : 0)}%`;

/**
 * The approval-rate / bad-rate trade-off: for each policy, the bad rate of the approved as the cut-off on its
 * ranking (grade, then headroom) moves from the best rank to approving everyone; a ringed dot marks where the
 * policy itself operates. Ratios are plotted as screen coordinates only (the figures are the tables' decimals).
 */
export function tradeoffChart(opts: { id: string; title: string; series: TradeoffSeries[]; width?: number; height?: number }): Chart {
  const width = opts.width ?? 720;
  const height = opts.height ?? 300;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const bads = opts.series
    .flatMap((s) => [...s.points.map((p) => p.bad30Rate), s.operating.bad30Rate])
    .filter((v): v is string => v !== null)
    .map(Number);
  const ticks = niceTicks(0, Math.max(0.01, ...bads), 5);
  const hi = ticks[ticks.length - 1] || 1;
  const x = (v: number): number => PAD.left + v * plotW;
  const y = (v: number): number => PAD.top + plotH - (v / hi) * plotH;
  const shapes: Shape[] = titleAndValueGrid({ title: opts.title, ticks, y, left: PAD.left, right: width - PAD.right, format: pct });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    shapes.push({
      kind: 'text',
      x: r1(x(t)),
      y: height - PAD.bottom + 16,
      text: pct(t),
      size: 10,
      anchor: 'middle',
      fill: COLORS.muted,
      cls: 'tick x',
    });
  }
  shapes.push({
    kind: 'text',
    x: r1(PAD.left + plotW / 2),
    y: height - 8,
    text: 'approval rate',
    size: 11,
    anchor: 'middle',
    fill: COLORS.muted,
    cls: 'axis-label',
  });
  opts.series.forEach((s, k) => {
    const pts = s.points.filter((p) => p.bad30Rate !== null);
    if (pts.length > 0)
      shapes.push({
        kind: 'polyline',
        points: pts.map((p) => [r1(x(Number(p.approvalRate))), r1(y(Number(p.bad30Rate)))]),
        stroke: s.color,
        width: 2,
        cls: 'curve',
        data: { series: s.key },
      });
    for (const p of pts)
      shapes.push({
        kind: 'circle',
        cx: r1(x(Number(p.approvalRate))),
        cy: r1(y(Number(p.bad30Rate))),
        r: 2,
        fill: s.color,
        cls: 'cutoff',
        data: { series: s.key },
        title: `${s.label}: approve down to ${p.rank} → ${pct(Number(p.approvalRate))} approved, ${pct(Number(p.bad30Rate))} 30+ DPD`,
      });
    if (s.operating.bad30Rate !== null)
      shapes.push({
        kind: 'circle',
        cx: r1(x(Number(s.operating.approvalRate))),
        cy: r1(y(Number(s.operating.bad30Rate))),
        r: 6,
        fill: 'none',
        stroke: s.color,
        cls: 'operating-point',
        data: { series: s.key },
        title: `${s.label} as it decides: ${pct(Number(s.operating.approvalRate))} approved, ${pct(Number(s.operating.bad30Rate))} 30+ DPD`,
      });
    shapes.push({ kind: 'rect', x: PAD.left + 8 + k * 170, y: PAD.top + 2, w: 10, h: 10, fill: s.color, cls: 'legend' });
    shapes.push({
      kind: 'text',
      x: PAD.left + 22 + k * 170,
      y: PAD.top + 11,
      text: s.label,
      size: 11,
      anchor: 'start',
      fill: COLORS.text,
      cls: 'legend',
    });
  });
  return {
    id: opts.id,
    title: opts.title,
    width,
    height,
    shapes,
    description: `${opts.title}: ${opts.series.map((s) => `${s.label} operates at ${pct(Number(s.operating.approvalRate))} approved with ${s.operating.bad30Rate === null ? 'no outcome' : `${pct(Number(s.operating.bad30Rate))} 30+ DPD`}`).join('; ')}`,
  };
}
