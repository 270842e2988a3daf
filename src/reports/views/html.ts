/**
 * A tiny escape-safe HTML template helper. Every interpolated value is escaped unless it is already `SafeHtml`
 * (produced by `html`, `raw` or a chart builder), so a borrower called `<script>` renders as text.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** Marks trusted markup (chart builders, already-rendered fragments). Never pass user input. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly Interpolation[]).map(render).join('');
  return escapeHtml(value);
}

/** Tagged template: `html\`<p>${name}</p>\`` escapes `name`; arrays are joined; null/undefined/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Builds a query string from defined values, escaped for a URL (the `html` tag escapes it again for the attribute). */
export function query(params: Record<string, string | number | null | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The placeholder row a table shows when it has nothing to list (empty string otherwise). */
export function emptyRow(items: readonly unknown[], colspan: number, message: string): SafeHtml | '' {
  return items.length === 0
    ? html`<tr>
        <td colspan="${colspan}" class="muted">${message}</td>
      </tr>`
    : '';
}
