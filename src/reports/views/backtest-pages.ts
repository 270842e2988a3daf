import type { BacktestSummary, OutcomeRates } from '../../scoring/backtest.js';
import { barChart } from '../charts/bar-chart.js';
import { renderSvg } from '../charts/svg.js';
import { tradeoffChart } from '../charts/tradeoff-chart.js';
import { emptyRow, html, raw, type SafeHtml } from './html.js';
import { lagosTime } from './format.js';
import { layout, type LayoutOptions } from './layout.js';
import { Decimal } from 'decimal.js';
import { formatNaira } from '../../common/money.js';

type User = NonNullable<LayoutOptions['user']>;

// (pages.ts has the same two helpers; importing them from there would close an import cycle through the controllers.)
const money = (kobo: number): string => formatNaira(kobo);
const percent = (ratio: string | null): string => (ratio === null ? '—' : `${new Decimal(ratio).times(100).toFixed(1)}%`);

/** What a backtest page shows: the stored run (admin API) or a CLI result. */
export interface BacktestView {
  id: string | null;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  requestedBy: string | null;
  createdAt: string | null;
  finishedAt: string | null;
  progress: { done: number; total: number };
  window: { from: string | null; to: string | null };
  candidatePolicy: string;
  baselinePolicy: string;
  error: string | null;
  result: (BacktestSummary & { erasedSkipped?: number; outcomesAsOf?: string }) | null;
}

export interface BacktestListRow {
  id: string;
  status: BacktestView['status'];
  candidatePolicy: string;
  baselinePolicy: string;
  createdAt: string;
  decisions: number | null;
  flipped: number | null;
}

const DECISIONS = ['approve', 'refer', 'decline'] as const;
const BASE = '#5c6bc0';
const CAND = '#ef6c00';

function statusBadge(s: BacktestView['status']): SafeHtml {
  const cls = s === 'succeeded' ? 'approve' : s === 'failed' ? 'decline' : 'refer';
  return html`<span class="badge ${cls}" data-testid="backtest-status">${s}</span>`;
}

function outcomeRow(label: string, b: OutcomeRates, c: OutcomeRates): SafeHtml {
  return html`<tr>
    <td>${label}</td>
    <td class="num">${b.decisions}</td>
    <td class="num">${b.withOutcome}</td>
    <td class="num">${percent(b.bad30Rate)}</td>
    <td class="num">${percent(b.defaultRate)}</td>
    <td class="num">${c.decisions}</td>
    <td class="num">${c.withOutcome}</td>
    <td class="num">${percent(c.bad30Rate)}</td>
    <td class="num">${percent(c.defaultRate)}</td>
  </tr>`;
}

const OUTCOME_HEAD = html`<thead>
  <tr>
    <th></th>
    <th class="num" colspan="4">Baseline</th>
    <th class="num" colspan="4">Candidate</th>
  </tr>
  <tr>
    <th></th>
    <th class="num">Decisions</th>
    <th class="num">With outcome</th>
    <th class="num">30+ DPD</th>
    <th class="num">Default</th>
    <th class="num">Decisions</th>
    <th class="num">With outcome</th>
    <th class="num">30+ DPD</th>
    <th class="num">Default</th>
  </tr>
</thead>`;

/** The figures of one backtest: flips, limits, reason shifts, grades and — with loan outcomes — bad rates, curve, Gini/KS. */
export function backtestSection(r: NonNullable<BacktestView['result']>): SafeHtml {
  const o = r.outcomes;
  const gradeBars = barChart({
    id: 'backtest-grade-bad-rate',
    title: '30+ DPD rate by risk grade (of decisions with a loan outcome)',
    series: [
      { key: 'baseline', label: 'Baseline', color: BASE },
      { key: 'candidate', label: 'Candidate', color: CAND },
    ],
    groups: (['A', 'B', 'C', 'D', 'E'] as const).map((g) => ({
      label: g,
      // basis points: the bar chart plots integers
      values: [o.byGrade.baseline[g].bad30Rate, o.byGrade.candidate[g].bad30Rate].map((v) =>
        v === null ? 0 : Math.round(Number(v) * 10_000),
      ),
    })),
    format: (bp: number) => `${(bp / 100).toFixed(0)}%`,
  });
  const curve = tradeoffChart({
    id: 'backtest-tradeoff',
    title: 'Approval rate vs 30+ DPD rate of the approved',
    series: [
      {
        key: 'baseline',
        label: `Baseline (${r.baselinePolicy})`,
        color: BASE,
        points: o.curve.baseline,
        operating: o.operatingPoint.baseline,
      },
      {
        key: 'candidate',
        label: `Candidate (${r.candidatePolicy})`,
        color: CAND,
        points: o.curve.candidate,
        operating: o.operatingPoint.candidate,
      },
    ],
  });
  return html`<div class="figures">
      <div class="figure">
        <div class="label">Decisions replayed</div>
        <div class="value" data-testid="bt-decisions">${r.decisions}</div>
      </div>
      <div class="figure">
        <div class="label">Decisions that flip</div>
        <div class="value" data-testid="bt-flipped">${r.flipped}</div>
      </div>
      <div class="figure">
        <div class="label">Approval rate</div>
        <div class="value">${percent(r.approvalRate.baseline)} → ${percent(r.approvalRate.candidate)}</div>
      </div>
      <div class="figure">
        <div class="label">Total limit change</div>
        <div class="value" data-testid="bt-delta">${r.limits.deltaMinor >= 0 ? '+' : ''}${money(r.limits.deltaMinor)}</div>
      </div>
      <div class="figure">
        <div class="label">30+ DPD of approved</div>
        <div class="value">${percent(o.operatingPoint.baseline.bad30Rate)} → ${percent(o.operatingPoint.candidate.bad30Rate)}</div>
      </div>
      <div class="figure">
        <div class="label">Gini (KS)</div>
        <div class="value">
          ${o.rankingPower.baseline.gini ?? '—'} (${o.rankingPower.baseline.ks ?? '—'}) → ${o.rankingPower.candidate.gini ?? '—'}
          (${o.rankingPower.candidate.ks ?? '—'})
        </div>
      </div>
    </div>
    <p class="muted small">
      Engine ${r.engineVersion}; ${r.baselineFromStored} baselines read from the stored result, ${r.engineVersionMismatches} decisions
      stored by another engine version (both sides replayed on this
      one)${r.erasedSkipped ? `, ${r.erasedSkipped} erased inputs skipped` : ''}.
      ${r.outcomesAsOf ? `Loan outcomes read as of ${lagosTime(r.outcomesAsOf)}.` : ''}
    </p>
    <h2>Decision flips</h2>
    <table class="flips" data-testid="bt-flips">
      <thead>
        <tr>
          <th>Baseline ↓ / candidate →</th>
          ${DECISIONS.map((d) => html`<th class="num">${d}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${DECISIONS.map(
          (a) =>
            html`<tr>
              <td>${a}</td>
              ${DECISIONS.map((b) => html`<td class="num${a === b ? ' muted' : ''}">${r.flips[a][b]}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      r.examples.length > 0
        ? html`<h3>Examples</h3>
            <table>
              <thead>
                <tr>
                  <th>Decision</th>
                  <th>Flip</th>
                  <th class="num">Baseline limit</th>
                  <th class="num">Candidate limit</th>
                </tr>
              </thead>
              <tbody>
                ${r.examples.map(
                  (e) =>
                    html`<tr>
                      <td><code>${e.decisionId}</code></td>
                      <td>${e.from} → ${e.to}</td>
                      <td class="num">${money(e.baselineLimitMinor)}</td>
                      <td class="num">${money(e.candidateLimitMinor)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
        : ''
    }
    <h2>Limits</h2>
    <p>
      Total ${money(r.limits.baselineTotalMinor)} → ${money(r.limits.candidateTotalMinor)}: ${r.limits.increased} up, ${r.limits.decreased}
      down, ${r.limits.unchanged} unchanged.
    </p>
    <table class="limit-bands">
      <thead>
        <tr>
          <th>Change per decision</th>
          <th class="num">Decisions</th>
        </tr>
      </thead>
      <tbody>
        ${r.limits.changeBands.map(
          (b) =>
            html`<tr>
              <td>${b.band}</td>
              <td class="num">${b.count}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Reason codes that shift</h2>
    <table data-testid="bt-reasons">
      <thead>
        <tr>
          <th>Code</th>
          <th class="num">Baseline</th>
          <th class="num">Candidate</th>
        </tr>
      </thead>
      <tbody>
        ${r.reasonShifts.map(
          (x) =>
            html`<tr>
              <td><code>${x.code}</code></td>
              <td class="num">${x.baseline}</td>
              <td class="num">${x.candidate}</td>
            </tr>`,
        )}
        ${emptyRow(r.reasonShifts, 3, 'No reason code changes count.')}
      </tbody>
    </table>
    <h2>Loan outcomes</h2>
    <p class="muted small">
      ${o.withOutcome} replayed decisions became loans with a known outcome (${o.immature} more too young to tell). A candidate approval the
      lender never lent on has no outcome: ${o.approvedWithoutOutcome.candidate} such approvals under the candidate
      (${o.approvedWithoutOutcome.baseline} under the baseline) are left out of its bad rates, not counted as good.
    </p>
    <h3>By decision</h3>
    <table class="outcomes" data-testid="bt-outcomes-decision">
      ${OUTCOME_HEAD}
      <tbody>
        ${DECISIONS.map((d) => outcomeRow(d, o.byDecision.baseline[d], o.byDecision.candidate[d]))}
      </tbody>
    </table>
    <h3>By risk grade</h3>
    <table class="outcomes" data-testid="bt-outcomes-grade">
      ${OUTCOME_HEAD}
      <tbody>
        ${(['A', 'B', 'C', 'D', 'E'] as const).map((g) => outcomeRow(g, o.byGrade.baseline[g], o.byGrade.candidate[g]))}
      </tbody>
    </table>
    ${raw(renderSvg(gradeBars))} ${raw(renderSvg(curve))}
    <p class="muted small">
      Ranking power against 30+ DPD on ${o.rankingPower.baseline.observed} loans (${o.rankingPower.baseline.bad} bad): Gini
      ${o.rankingPower.baseline.gini ?? '—'} / KS ${o.rankingPower.baseline.ks ?? '—'} under the baseline, Gini
      ${o.rankingPower.candidate.gini ?? '—'} / KS ${o.rankingPower.candidate.ks ?? '—'} under the candidate (docs/scoring.md "Backtest").
    </p>`;
}

export function backtestPage(v: BacktestView, user: User | null, opts: { standalone?: boolean } = {}): string {
  const pct = v.progress.total > 0 ? Math.floor((v.progress.done * 100) / v.progress.total) : 0;
  return layout({
    title: 'Backtest',
    user,
    standalone: opts.standalone,
    body: html`<h1>Backtest ${v.candidatePolicy} vs ${v.baselinePolicy} ${statusBadge(v.status)}</h1>
      <p class="muted">
        ${v.id ? html`<code>${v.id}</code> · ` : ''}decisions ${v.window.from ?? 'from the first'} → ${v.window.to ?? 'to the last'}
        ${v.requestedBy ? html` · requested by ${v.requestedBy}` : ''}${v.createdAt ? html` · ${lagosTime(v.createdAt)}` : ''}
        ${
          v.id && !opts.standalone
            ? html` · <a href="/v1/admin/backtests/${v.id}">JSON</a> · <a href="/v1/admin/backtests/${v.id}?format=html">HTML file</a>`
            : ''
        }
      </p>
      ${
        v.status === 'queued' || v.status === 'running'
          ? html`<p class="notice" data-testid="backtest-progress">
              ${v.progress.done} of ${v.progress.total} decisions replayed (${pct}%). Reload to update.
            </p>`
          : ''
      }
      ${v.error ? html`<p class="error">${v.error}</p>` : ''} ${v.result ? backtestSection(v.result) : ''}`,
  });
}

export function backtestListPage(rows: readonly BacktestListRow[], user: User | null): string {
  return layout({
    title: 'Backtests',
    user,
    body: html`<h1>Backtests</h1>
      <p class="muted small">
        Started by an admin with <code>POST /v1/admin/backtests</code> or from the command line with
        <code>npm run backtest</code> (docs/scoring.md "Backtest").
      </p>
      <table data-testid="backtest-list">
        <thead>
          <tr>
            <th>Started</th>
            <th>Candidate</th>
            <th>Baseline</th>
            <th>Status</th>
            <th class="num">Decisions</th>
            <th class="num">Flipped</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr>
                <td class="nowrap"><a href="/analyst/backtests/${r.id}">${lagosTime(r.createdAt)}</a></td>
                <td><code>${r.candidatePolicy}</code></td>
                <td><code>${r.baselinePolicy}</code></td>
                <td>${statusBadge(r.status)}</td>
                <td class="num">${r.decisions ?? '—'}</td>
                <td class="num">${r.flipped ?? '—'}</td>
              </tr>`,
          )}
          ${emptyRow(rows, 6, 'No backtest has been run yet.')}
        </tbody>
      </table>`,
  });
}
