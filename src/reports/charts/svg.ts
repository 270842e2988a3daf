import { escapeHtml } from '../views/html.js';
import type { Chart, Shape } from './shapes.js';

function attrs(shape: Shape): string {
  let out = shape.cls ? ` class="${escapeHtml(shape.cls)}"` : '';
  for (const [k, v] of Object.entries(shape.data ?? {})) out += ` data-${k}="${escapeHtml(v)}"`;
  return out;
}

function element(shape: Shape): string {
  const title = shape.title ? `<title>${escapeHtml(shape.title)}</title>` : '';
  switch (shape.kind) {
    case 'rect':
      return `<rect x="${shape.x}" y="${shape.y}" width="${shape.w}" height="${shape.h}" fill="${escapeHtml(shape.fill)}"${attrs(shape)}>${title}</rect>`;
    case 'line':
      return `<line x1="${shape.x1}" y1="${shape.y1}" x2="${shape.x2}" y2="${shape.y2}" stroke="${escapeHtml(shape.stroke)}" stroke-width="${shape.width}"${shape.dash ? ` stroke-dasharray="${shape.dash}"` : ''}${attrs(shape)}>${title}</line>`;
    case 'polyline': {
      const pts = shape.points.map(([x, y]) => `${x},${y}`).join(' ');
      const tag = shape.fill ? 'polygon' : 'polyline';
      return `<${tag} points="${pts}" fill="${escapeHtml(shape.fill ?? 'none')}" stroke="${escapeHtml(shape.stroke)}" stroke-width="${shape.width}"${attrs(shape)}>${title}</${tag}>`;
    }
    case 'circle':
      return `<circle cx="${shape.cx}" cy="${shape.cy}" r="${shape.r}" fill="${escapeHtml(shape.fill)}"${shape.stroke ? ` stroke="${escapeHtml(shape.stroke)}"` : ''}${attrs(shape)}>${title}</circle>`;
    case 'text':
      return `<text x="${shape.x}" y="${shape.y}" font-size="${shape.size}" text-anchor="${shape.anchor}" fill="${escapeHtml(shape.fill)}"${attrs(shape)}>${title}${escapeHtml(shape.text)}</text>`;
    default: {
      const never: never = shape;
      throw new Error(`unknown shape ${String(never)}`);
    }
  }
}

/** Inline SVG markup for a chart; linked shapes are wrapped in `<a href>` (drill-down without any script). */
export function renderSvg(chart: Chart): string {
  const body = chart.shapes.map((s) => (s.href ? `<a href="${escapeHtml(s.href)}" class="drill">${element(s)}</a>` : element(s))).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}" ` +
    `viewBox="0 0 ${chart.width} ${chart.height}" width="100%" role="img" aria-label="${escapeHtml(chart.description)}">` +
    `<title>${escapeHtml(chart.title)}</title>${body}</svg>`
  );
}
