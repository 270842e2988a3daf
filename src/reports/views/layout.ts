import { html, raw, type SafeHtml } from './html.js';

export const ANALYST_CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#f6f7f9}
header.top{background:#14213d;color:#fff;padding:10px 20px;display:flex;gap:18px;align-items:center}
header.top a{color:#fff;text-decoration:none;font-weight:600}header.top .who{margin-left:auto;font-size:12px;opacity:.85}
header.top form{margin:0}header.top button{background:transparent;color:#fff;border:1px solid #fff6;border-radius:4px;padding:3px 8px;cursor:pointer}
main{max-width:1100px;margin:0 auto;padding:18px 20px 60px}
h1{font-size:22px;margin:6px 0 12px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.badge.grade{background:#e8ecf8;color:#1d2c5e;margin-left:6px}.grade-why{margin:2px 0 8px;color:#444}
.note-body{white-space:pre-wrap;background:#fff;border:1px solid #e3e5e8;border-radius:6px;padding:8px 12px;margin:4px 0 10px}
.note-form textarea{display:block;width:100%;font:inherit;margin:4px 0}
section.card{background:#fff;border:1px solid #e3e5e8;border-radius:6px;padding:12px 16px;margin:12px 0}
td.nowrap{white-space:nowrap}table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:5px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{font-size:12px;color:#555;text-transform:uppercase;letter-spacing:.03em}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:10px}
.figure{background:#fff;border:1px solid #e3e5e8;border-radius:6px;padding:10px 12px}.figure .label{font-size:12px;color:#666}
.figure .value{font-size:19px;font-weight:600}.figure a{color:inherit;text-decoration:none}.figure a:hover .value{text-decoration:underline}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;background:#eee}
.badge.approve{background:#d7f0db;color:#1b5e20}.badge.decline{background:#fbd9d9;color:#8e1c1c}.badge.refer{background:#ffe9c7;color:#7a4a00}
.badge.warn{background:#fbd9d9;color:#8e1c1c}.muted{color:#777}.small{font-size:12px}
svg.chart{background:#fff;border:1px solid #e3e5e8;border-radius:6px;margin:8px 0;max-width:100%}
svg.chart a.drill{cursor:pointer}svg.chart a.drill:hover rect,svg.chart a.drill:hover circle{opacity:.7}
svg.chart text{font-family:system-ui,sans-serif}
form.inline{display:inline-flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0}td form.inline select,td form.inline input[type=text]{max-width:150px}input,select,button{font:inherit;padding:4px 6px}
button.primary{background:#14213d;color:#fff;border:0;border-radius:4px;padding:6px 12px;cursor:pointer}
.error{background:#fbd9d9;color:#8e1c1c;padding:8px 12px;border-radius:4px}.notice{background:#d7f0db;color:#1b5e20;padding:8px 12px;border-radius:4px}
.pager{margin:10px 0;display:flex;gap:10px}code{font-size:12px}
table.limit-chain tr.binding td{background:#fff3cd;font-weight:600}tr.total td{font-weight:600;border-top:2px solid #ccc}
div.scroll{overflow-x:auto}table.months td,table.categories td{white-space:nowrap}
section.analysis{border-left:3px solid #ccc;padding-left:12px}h3{font-size:15px;margin:18px 0 6px}
`;

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** The signed-in analyst (shows the nav and the logout form). */
  user?: { name: string; role: string; csrf: string } | null;
  /**
   * A file to save or send (the API's `format=html`): the stylesheet is inlined, so the page renders the same opened
   * from disk, and the CSP still allows no inline script.
   */
  standalone?: boolean;
}

/** The shared page shell: styles come from a same-origin stylesheet, or inline for a standalone file (no inline script anywhere). */
export function layout(o: LayoutOptions): string {
  const nav = o.user
    ? html`<a href="/analyst">Borrowers</a><a href="/analyst/portfolio">Portfolio</a><a href="/analyst/backtests">Backtests</a>
        <span class="who">${o.user.name} (${o.user.role})</span>
        <form method="post" action="/analyst/logout">
          <input type="hidden" name="csrf" value="${o.user.csrf}" /><button type="submit">Log out</button>
        </form>`
    : html``;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${o.title} · Underwriting</title>
        ${o.standalone ? html`<style>${raw(ANALYST_CSS)}</style>` : html`<link rel="stylesheet" href="/analyst/assets/analyst.css" />`}
      </head>
      <body>
        <header class="top"><a href="/analyst">Underwriting</a>${nav}</header>
        <main>${o.body}</main>
      </body>
    </html>`.value;
}

export function errorPage(title: string, message: string, user?: LayoutOptions['user']): string {
  return layout({
    title,
    user,
    body: html`<h1>${title}</h1>
      <p class="error">${message}</p>
      <p><a href="/analyst">Back to borrowers</a></p>`,
  });
}

export { raw };
