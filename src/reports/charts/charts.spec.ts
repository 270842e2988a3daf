import { describe, expect, it } from '@jest/globals';
import { barChart } from './bar-chart.js';
import { lineChart } from './line-chart.js';
import { compactNaira, niceTicks, type Chart, type Shape } from './shapes.js';
import { renderSvg } from './svg.js';
import { timeline } from './timeline.js';
import { vintageChart } from './vintage-chart.js';

const byClass = (chart: Chart, cls: string): Shape[] => chart.shapes.filter((s) => (s.cls ?? '').split(' ').includes(cls));

describe(barChart.name, () => {
  const chart = barChart({
    id: 'monthly-cash-flow',
    title: 'Monthly',
    series: [
      { key: 'inflow', label: 'Inflow', color: '#0a0' },
      { key: 'outflow', label: 'Outflow', color: '#a00' },
      { key: 'net', label: 'Net', color: '#00a' },
    ],
    groups: [
      { label: '2026-08', values: [100_000_00, 80_000_00, 20_000_00], href: '/t?month=2026-08' },
      { label: '2026-09', values: [50_000_00, 90_000_00, -40_000_00], href: '/t?month=2026-09' },
    ],
  });

  it('should draw one bar per group and series, linked to the group’s drill-down', () => {
    const bars = byClass(chart, 'bar');
    expect(bars).toHaveLength(6);
    expect(bars.map((b) => b.href)).toEqual([
      '/t?month=2026-08',
      '/t?month=2026-08',
      '/t?month=2026-08',
      '/t?month=2026-09',
      '/t?month=2026-09',
      '/t?month=2026-09',
    ]);
    expect(bars.map((b) => b.data?.value)).toEqual(['10000000', '8000000', '2000000', '5000000', '9000000', '-4000000']);
  });

  it('should hang negative bars below the zero line and scale heights to values', () => {
    const zero = chart.shapes.find((s) => s.kind === 'line' && s.cls === 'axis zero');
    expect(zero?.kind).toBe('line');
    const zeroY = zero?.kind === 'line' ? zero.y1 : NaN;
    const [inflow, outflow, , , , negative] = byClass(chart, 'bar').map((b) => (b.kind === 'rect' ? b : null)!);
    expect(inflow.y + inflow.h).toBeCloseTo(zeroY, 0);
    expect(negative.y).toBeCloseTo(zeroY, 0);
    expect(inflow.h / outflow.h).toBeCloseTo(100 / 80, 1);
  });

  it('should be pure: the same data gives the same shapes', () => {
    const again = barChart({
      id: 'monthly-cash-flow',
      title: 'Monthly',
      series: [{ key: 'inflow', label: 'Inflow', color: '#0a0' }],
      groups: [{ label: 'a', values: [1] }],
    });
    expect(again).toEqual(
      barChart({
        id: 'monthly-cash-flow',
        title: 'Monthly',
        series: [{ key: 'inflow', label: 'Inflow', color: '#0a0' }],
        groups: [{ label: 'a', values: [1] }],
      }),
    );
  });
});

describe(lineChart.name, () => {
  it('should draw one polyline and mark negative and low days with links', () => {
    const chart = lineChart({
      id: 'daily-balance',
      title: 'Balance',
      lowThreshold: 500_000,
      points: [
        { date: '2026-09-01', value: 2_000_000 },
        { date: '2026-09-02', value: 300_000, href: '/t?date=2026-09-02' },
        { date: '2026-09-03', value: -100_000, href: '/t?date=2026-09-03' },
        { date: '2026-09-04', value: 1_000_000 },
      ],
    });
    expect(byClass(chart, 'balance-line')).toHaveLength(1);
    const line = byClass(chart, 'balance-line')[0];
    expect(line.kind === 'polyline' ? line.points : []).toHaveLength(4);
    expect(byClass(chart, 'negative-day').map((s) => s.href)).toEqual(['/t?date=2026-09-03']);
    expect(byClass(chart, 'low-day').map((s) => s.data?.date)).toEqual(['2026-09-02']);
    expect(byClass(chart, 'threshold')).toHaveLength(1);
    expect(chart.description).toBe('Balance: 4 days, 1 negative');
  });

  it('should cope with no points', () => {
    const chart = lineChart({ id: 'daily-balance', title: 'Balance', points: [] });
    expect(byClass(chart, 'balance-line')).toHaveLength(0);
  });
});

describe(timeline.name, () => {
  it('should put each payment on its stream’s row and a diamond at the predicted date', () => {
    const chart = timeline({
      id: 'income-timeline',
      title: 'Income',
      rows: [
        {
          key: 'S1',
          label: 'ACME',
          href: '/t?stream=S1',
          active: true,
          predictedNextDate: '2026-11-25',
          marks: ['2026-08-25', '2026-09-25', '2026-10-24'].map((date, k) => ({
            date,
            transactionId: `t${k}`,
            amountLabel: '₦1',
            href: `/t?ids=t${k}`,
          })),
        },
        {
          key: 'S2',
          label: 'Gig',
          active: false,
          predictedNextDate: null,
          marks: [{ date: '2026-09-10', transactionId: 'g', amountLabel: '₦2' }],
        },
      ],
    });
    const payments = byClass(chart, 'payment');
    expect(payments).toHaveLength(4);
    expect(payments.filter((p) => p.data?.stream === 'S1').map((p) => p.href)).toEqual(['/t?ids=t0', '/t?ids=t1', '/t?ids=t2']);
    const cys = new Set(payments.filter((p) => p.data?.stream === 'S1').map((p) => (p.kind === 'circle' ? p.cy : 0)));
    expect(cys.size).toBe(1);
    const predicted = byClass(chart, 'predicted');
    expect(predicted).toHaveLength(1);
    const xs = payments.map((p) => (p.kind === 'circle' ? p.cx : 0));
    const px = predicted[0].kind === 'polyline' ? predicted[0].points[0][0] : 0;
    expect(px).toBeGreaterThan(Math.max(...xs));
    expect(byClass(chart, 'stream-label').map((s) => s.href)).toEqual(['/t?stream=S1', undefined]);
  });
});

describe(vintageChart.name, () => {
  const chart = vintageChart({
    id: 'vintage-curves',
    title: 'Vintages',
    series: [
      { cohort: '2026-01', points: [1, 2, 3].map((k) => ({ monthsOnBook: k, share: 0 })) },
      { cohort: '2026-02', points: [{ monthsOnBook: 1, share: 0 }, { monthsOnBook: 2, share: 0.25 }] },
    ],
  });

  it('should draw one point per cohort and month on book, higher for a larger share, with a legend entry per cohort', () => {
    const points = byClass(chart, 'vintage-point');
    expect(points).toHaveLength(5);
    const [flat, bad] = [points[1], points[4]] as Array<Extract<Shape, { kind: 'circle' }>>;
    expect(bad.data).toEqual({ cohort: '2026-02', mob: '2', share: '0.25' });
    expect(bad.cy).toBeLessThan(flat.cy); // SVG y grows downwards
    expect(bad.cx).toBe(flat.cx); // same month on book, same x
    expect(byClass(chart, 'vintage-line')).toHaveLength(2);
    expect(byClass(chart, 'legend').filter((l) => l.kind === 'text').map((l) => (l).text)).toEqual(['2026-01', '2026-02']);
    expect(renderSvg(chart)).toContain('2026-02, month 2 on book: 25% ever 30+ DPD');
  });
});

describe(renderSvg.name, () => {
  it('should escape text and links and wrap linked shapes in anchors', () => {
    const svg = renderSvg({
      id: 'x"y',
      title: '<b>T</b>',
      width: 10,
      height: 10,
      description: 'd',
      shapes: [
        { kind: 'text', x: 1, y: 1, text: '<script>alert(1)</script>', size: 10, anchor: 'start', fill: '#000' },
        { kind: 'rect', x: 0, y: 0, w: 1, h: 1, fill: '#000', href: '/a?b=1&c="2"', cls: 'bar', title: 'A & B' },
      ],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('<a href="/a?b=1&amp;c=&quot;2&quot;" class="drill"><rect');
    expect(svg).toContain('<title>A &amp; B</title>');
    expect(svg).toContain('data-chart="x&quot;y"');
  });
});

describe(niceTicks.name, () => {
  it('should cover the range with round steps', () => {
    expect(niceTicks(0, 97, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-40, 100, 5)).toEqual([-50, 0, 50, 100]);
    expect(niceTicks(0, 0)).toEqual([0, 1]);
  });

  it('should label kobo compactly in naira', () => {
    expect(compactNaira(150_000_000)).toBe('₦1.5m');
    expect(compactNaira(-2_500_000)).toBe('-₦25k');
    expect(compactNaira(0)).toBe('₦0');
  });
});

/** The horizontal extent of an x-axis label, from its anchor and the estimated text width. */
function labelBoxes(chart: Chart): Array<[number, number]> {
  return byClass(chart, 'x-label')
    .map((s) => {
      if (s.kind !== 'text') throw new Error('x-label is text');
      const w = s.text.length * s.size * 0.6;
      const left = s.anchor === 'middle' ? s.x - w / 2 : s.anchor === 'end' ? s.x - w : s.x;
      return [left, left + w] as [number, number];
    })
    .sort((a, b) => a[0] - b[0]);
}

function expectNoOverlap(chart: Chart): void {
  const boxes = labelBoxes(chart);
  expect(boxes.length).toBeGreaterThan(0);
  for (let k = 1; k < boxes.length; k += 1) expect(boxes[k][0]).toBeGreaterThanOrEqual(boxes[k - 1][1]);
}

function months(n: number): string[] {
  return Array.from({ length: n }, (_, k) => `${2025 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`);
}

describe('axis labels', () => {
  it('should draw no 1970 axis for a timeline without streams, and the data’s range when given', () => {
    const empty = timeline({ id: 'income', title: 'Income', rows: [] });
    expect(byClass(empty, 'x-label')).toHaveLength(0);
    expect(empty.shapes.some((s) => s.kind === 'text' && s.text.includes('1970'))).toBe(false);
    const ranged = timeline({ id: 'income', title: 'Income', rows: [], from: '2026-05-03', to: '2026-11-30' });
    const labels = byClass(ranged, 'x-label').map((s) => (s.kind === 'text' ? s.text : ''));
    expect(labels[0]).toBe('2026-06');
    expect(labels[labels.length - 1] <= '2026-11').toBe(true);
    expect(labels.every((l) => l >= '2026-06' && l <= '2026-11')).toBe(true);
  });

  it.each([1, 2, 6, 12, 24, 36])('should never overlap the month labels of a %i-month bar chart, at full and PDF-column width', (n) => {
    for (const width of [720, 360]) {
      const chart = barChart({
        id: 'm',
        title: 'Monthly',
        width,
        series: [{ key: 'inflow', label: 'Inflow', color: '#0a0' }],
        groups: months(n).map((m) => ({ label: m, values: [1_000_00] })),
      });
      expectNoOverlap(chart);
    }
  });

  it.each([1, 3, 12, 24, 36])('should never overlap the month labels of a %i-month income timeline', (n) => {
    const ms = months(n);
    const chart = timeline({
      id: 'income',
      title: 'Income',
      rows: [
        {
          key: 'S1',
          label: 'S1 ACME',
          active: true,
          predictedNextDate: null,
          marks: ms.map((m, k) => ({ date: `${m}-25`, amountLabel: '₦1', transactionId: `t${k}` })),
        },
      ],
      from: `${ms[0]}-01`,
    });
    expectNoOverlap(chart);
  });

  it.each([2, 7, 30, 31, 60, 89, 90, 91, 120, 365])('should never overlap the date labels of a %i-day balance line', (n) => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const chart = lineChart({
      id: 'b',
      title: 'Balance',
      points: Array.from({ length: n }, (_, k) => ({ date: new Date(start + k * 86_400_000).toISOString().slice(0, 10), value: k * 100 })),
    });
    expectNoOverlap(chart);
    // The last day is always labelled.
    const texts = byClass(chart, 'x-label').map((s) => (s.kind === 'text' ? s.text : ''));
    expect(texts).toContain(new Date(start + (n - 1) * 86_400_000).toISOString().slice(0, 10));
  });
});
