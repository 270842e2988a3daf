import { Decimal } from 'decimal.js';
import { formatNaira } from '../../common/money.js';
import { TRANSACTION_CATEGORIES } from '../../common/domain/transaction.js';
import { borrowerCharts } from '../charts/report-charts.js';
import { renderSvg } from '../charts/svg.js';
import { vintageChart } from '../charts/vintage-chart.js';
import type { CreditPerformance } from '../model/credit-performance.js';
import type { BorrowerReport, ReportDecision } from '../model/borrower-report.js';
import type { PortfolioReport } from '../model/portfolio-report.js';
import type { BorrowerListRow } from '../reports.repository.js';
import type { DrillDown } from '../reports.service.js';
import { emptyRow, html, query, raw, type SafeHtml } from './html.js';
import { layout, type LayoutOptions } from './layout.js';
import { chainValue, lagosTime } from './format.js';
import type { LimitChain } from '../model/limit-chain.js';
import type { StatementAnalysis } from '../model/statement-analysis.js';

type User = NonNullable<LayoutOptions['user']>;

const NOT_INCOME_OPTIONS: Array<[string, string]> = [
  ['other_non_income', 'gift / support / other'],
  ['self_transfer', 'own money (other account)'],
  ['loan', 'borrowed money'],
  ['reversal', 'refund / reversal'],
];

export function money(kobo: number | null | undefined): string {
  return kobo === null || kobo === undefined ? '—' : formatNaira(kobo);
}

/** A decimal-string ratio as a percentage with one decimal ("0.3333" → "33.3%"); `missing` when absent. */
export function percent(ratio: string | null | undefined, missing = '—'): string {
  if (ratio === null || ratio === undefined) return missing;
  try {
    return `${new Decimal(ratio).times(100).toFixed(1)}%`;
  } catch {
    return ratio;
  }
}

function hours(h: number | null): string {
  if (h === null) return 'never synced';
  if (h < 48) return `${h}h ago`;
  return `${Math.floor(h / 24)}d ago`;
}

/** The lawful basis of the decision's data: the consent each account was held under when it was made (docs/privacy.md). */
function consentLine(consents: ReportDecision['consents']): SafeHtml | string {
  if (consents === null) return html`<p class="muted small" data-testid="decision-consents">Consent: not recorded (decision made before consents were recorded on decisions)</p>`;
  if (consents.length === 0) return '';
  const parts = consents.map((c) =>
    c.consentId
      ? html`<span>account ${c.accountId.slice(0, 8)}…: ${c.purpose} consent <code>${c.consentId}</code></span>`
      : html`<span class="warn">account ${c.accountId.slice(0, 8)}…: no valid consent at decision time (stored data only)</span>`,
  );
  return html`<p class="muted small" data-testid="decision-consents">Consent relied on: ${parts.map((p, i) => (i === 0 ? p : html`; ${p}`))}</p>`;
}

function csrfField(user: User): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${user.csrf}" />`;
}

export function loginPage(error?: string): string {
  return layout({
    title: 'Analyst sign-in',
    body: html`<h1>Analyst sign-in</h1>
      ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
      <section class="card">
        <form method="post" action="/analyst/login">
          <p>
            <label
              >API key (role analyst or admin)<br /><input type="password" name="apiKey" autocomplete="current-password" size="48" required
            /></label>
          </p>
          <p><button class="primary" type="submit">Sign in</button></p>
        </form>
      </section>
      <p class="muted small">The key is kept in an HttpOnly, SameSite=Strict session cookie until you log out.</p>`,
  });
}

export function borrowerListPage(
  user: User,
  list: { rows: Array<BorrowerListRow & { freshnessHours: number | null }>; total: number; page: number; pages: number },
  search: string,
): string {
  const rows = list.rows.map(
    (b) =>
      html`<tr>
        <td>
          <a href="/analyst/borrowers/${b.id}" class="borrower-link">${b.fullName}</a>
          <div class="muted small">${b.externalId}</div>
        </td>
        <td>
          ${b.decision ? html`<span class="badge ${b.decision}">${b.decision}</span>` : html`<span class="muted">none</span>`}
          ${b.decidedAt ? html`<div class="muted small">${b.decidedAt.toISOString().slice(0, 10)}</div>` : ''}
        </td>
        <td class="num">${b.recommendedLimitMinor === null ? '—' : money(b.recommendedLimitMinor)}</td>
        <td>${b.accounts}</td>
        <td>${b.reauthRequired ? html`<span class="badge warn">reauth needed</span>` : html`<span class="muted">ok</span>`}</td>
        <td>${b.accounts ? hours(b.freshnessHours) : '—'}</td>
      </tr>`,
  );
  const pager = html`<div class="pager">
    ${list.page > 1 ? html`<a href="/analyst${query({ q: search, page: list.page - 1 })}">← Previous</a>` : ''}
    <span class="muted">Page ${list.page} of ${list.pages} · ${list.total} borrowers</span>
    ${list.page < list.pages ? html`<a href="/analyst${query({ q: search, page: list.page + 1 })}">Next →</a>` : ''}
  </div>`;
  return layout({
    title: 'Borrowers',
    user,
    body: html`<h1>Borrowers</h1>
      <form method="get" action="/analyst" class="inline">
        <input type="search" name="q" value="${search}" placeholder="Name or external id" size="32" /><button type="submit">Search</button>
      </form>
      <table class="borrowers">
        <thead>
          <tr>
            <th>Borrower</th>
            <th>Latest decision</th>
            <th class="num">Limit</th>
            <th>Accounts</th>
            <th>Reauth</th>
            <th>Data freshness (oldest)</th>
          </tr>
        </thead>
        <tbody>
          ${
            rows.length
              ? rows
              : html`<tr>
                  <td colspan="6" class="muted">No borrowers match.</td>
                </tr>`
          }
        </tbody>
      </table>
      ${pager}`,
  });
}

export interface BorrowerPageOptions {
  /** The signed-in analyst; null for exported files (no navigation, no forms). */
  user: User | null;
  notice?: string | null;
  /** Render for the PDF-less HTML export (no forms). */
  readOnly?: boolean;
}

export function borrowerPage(report: BorrowerReport, opts: BorrowerPageOptions): string {
  const o = { ...opts, readOnly: opts.readOnly === true || opts.user === null };
  const base = `/analyst/borrowers/${report.borrower.id}`;
  const d = report.decision;
  const decisionParam = d ? { decisionId: d.id } : {};
  const drill = (params: Record<string, string>): string => `${base}/transactions${query({ ...decisionParam, ...params })}`;
  const charts = borrowerCharts(report, drill);
  const figure = (label: string, value: string, href?: string, cls = ''): SafeHtml =>
    html`<div class="figure ${cls}">
      ${
        href
          ? html`<a href="${href}"
              ><div class="label">${label}</div>
              <div class="value">${value}</div></a
            >`
          : html`<div class="label">${label}</div>
              <div class="value">${value}</div>`
      }
    </div>`;

  const head = html`<h1 class="borrower-name">${report.borrower.fullName}</h1>
    <p class="muted">
      External id ${report.borrower.externalId} · email ${report.borrower.email} · phone ${report.borrower.phone ?? '—'} · BVN
      ${report.borrower.bvn ?? '—'}
    </p>
    <p class="small">
      <a href="/v1/reports/borrowers/${report.borrower.id}${query({ ...decisionParam, format: 'pdf' })}">PDF</a> ·
      <a href="/v1/reports/borrowers/${report.borrower.id}${query({ ...decisionParam, format: 'xlsx' })}">Excel</a> ·
      <a href="/v1/reports/borrowers/${report.borrower.id}/transactions.csv">Transactions CSV</a> ·
      <a href="/v1/reports/borrowers/${report.borrower.id}${query(decisionParam)}">JSON</a>
    </p>
    ${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}`;

  const reasonsTable = d
    ? html`<h2>Reasons</h2>
        <table class="reasons">
          <thead>
            <tr>
              <th>#</th>
              <th>Code</th>
              <th>Severity</th>
              <th>Why</th>
              <th>What would change it</th>
            </tr>
          </thead>
          <tbody>
            ${d.reasons.map(
              (r) =>
                html`<tr>
                  <td>${r.rank}</td>
                  <td><code>${r.code}</code></td>
                  <td>${r.severity}</td>
                  <td>${r.message}</td>
                  <td>
                    ${r.counterfactual ? html`${r.counterfactual.message}${r.counterfactual.limitDeltaMinor ? html` <span class="muted">(+${money(r.counterfactual.limitDeltaMinor)})</span>` : ''}` : html`<span class="muted">—</span>`}
                  </td>
                </tr>`,
            )}
            ${emptyRow(d.reasons, 5, 'No reasons.')}
          </tbody>
        </table>`
    : '';

  const declined = d?.decision === 'decline';
  const figures = d
    ? html`<div class="figures">
        ${figure(declined ? 'Computed limit (not offered)' : 'Recommended limit', money(d.recommendedLimitMinor), '#limit-chain', declined ? '' : 'limit')}
        ${figure('Instalment', `${money(d.instalmentMinor)} × ${d.tenorMonths}m`, '#limit-chain')}
        ${figure('Max instalment', money(d.maxInstalmentMinor), '#limit-chain')}
        ${figure('Monthly rate', chainValue('rate', d.limitChain.steps.find((s) => s.key === 'monthly_rate')?.value ?? null), '#limit-chain')}
        ${figure('Binding constraint', d.bindingConstraint, '#limit-chain')} ${figure('Post-loan DSR', percent(d.postLoanDsr), '#limit-chain')}
        ${figure('Verified monthly income', money(report.income?.verifiedMonthlyMinor), drill({ feature: 'verified_monthly_income' }))}
        ${figure('Existing obligations / month', money(report.obligations?.monthlyTotalMinor), drill({ feature: 'existing_obligations_monthly' }))}
        ${figure('Free cash flow / month', money(report.cashFlow?.freeCashFlowMinor), '#limit-fcf')}
        ${figure('Negative-balance days', String(report.cashFlow?.negativeBalanceDays ?? '—'), '#cash-flow')}
        ${figure('Complete months of data', String(d.coverageMonths), '#statement-analysis')}
        ${d.requested ? figure('Requested', `${money(d.requested.amountMinor)}${d.requested.tenorMonths ? ` / ${d.requested.tenorMonths}m` : ''}`, '#limit-chain') : ''}
        ${d.counterOffer && !declined ? figure('Counter-offer', `${money(d.counterOffer.amountMinor)} / ${d.counterOffer.tenorMonths}m`, '#limit-chain') : ''}
      </div>`
    : '';

  const decisionSection = d
    ? html`<h2>
          Decision <span class="badge ${d.decision}" data-testid="decision">${d.decision}</span>
          <span class="badge grade" data-testid="grade" title="${gradeExplanation(d.grade)}">grade ${d.grade.grade}</span>
        </h2>
        <p class="small grade-why">${gradeExplanation(d.grade)}</p>
        <p class="muted small decision-meta">
          Decision ${d.id} · ${d.trigger}${d.actor ? html` by ${d.actor}` : ''} · made ${lagosTime(d.createdAt)} · data as of ${d.asOf} ·
          policy <span class="policy-version">${d.policyVersion}</span> · engine ${d.engineVersion}
        </p>
        ${consentLine(d.consents)}
        ${
          declined
            ? html`${reasonsTable}
                <section class="analysis">
                  <h2>Analysis</h2>
                  <p class="muted small">
                    The figures the engine computed. The borrower was declined: no limit or counter-offer is offered.
                  </p>
                  ${figures}
                </section>`
            : html`${figures}${reasonsTable}`
        }
        ${limitChainSection(d.limitChain, drill, declined)}`
    : html`<h2>Decision</h2>
        <p class="muted">No decision has been made for this borrower yet.</p>`;

  const chartsSection = d
    ? html`<h2 id="cash-flow">Cash flow</h2>
        <p class="muted small">Click a bar or a marked day to see the transactions behind it.</p>
        ${raw(renderSvg(charts.cashFlow))}
        <p class="small">
          Average daily balance ${money(report.cashFlow?.averageDailyBalanceMinor)} · minimum
          ${money(report.cashFlow?.minimumDailyBalanceMinor)} · ${report.cashFlow?.negativeBalanceDays ?? 0} negative and
          ${report.cashFlow?.lowBalanceDays ?? 0} low-balance days (below ${money(report.cashFlow?.lowBalanceThresholdMinor)}) · trend
          ${report.cashFlow?.trend ?? '—'}
        </p>
        ${raw(renderSvg(charts.balance))}
        <h2>Income</h2>
        ${raw(renderSvg(charts.income))}`
    : '';

  const streams = report.income?.streams ?? [];
  const incomeTable = d
    ? html`<table class="streams">
          <thead>
            <tr>
              <th>Stream</th>
              <th>Frequency</th>
              <th>Status</th>
              <th class="num">Monthly</th>
              <th class="num">Counted</th>
              <th>Confidence</th>
              <th>Next expected</th>
              ${o.readOnly ? '' : html`<th>Override</th>`}
            </tr>
          </thead>
          <tbody>
            ${streams.map(
              (s) =>
                html`<tr data-stream="${s.key}">
                  <td>
                    <a href="${drill({ stream: s.key })}">${s.key} ${s.label}</a
                    >${s.isSalary ? html` <span class="badge">salary</span>` : ''}
                    <div class="muted small">${s.payments.length} payments, ${s.firstDate} → ${s.lastDate}</div>
                  </td>
                  <td>${s.frequency}</td>
                  <td>${s.status}${s.missed ? html`<div class="badge warn small missed">${s.missed.note}</div>` : ''}</td>
                  <td class="num">${money(s.monthlyAmountMinor)}</td>
                  <td class="num">${money(s.countedMonthlyMinor)}</td>
                  <td>${percent(s.confidence)}</td>
                  <td>${s.predictedNextDate ?? '—'}</td>
                  ${
                    o.readOnly || !o.user
                      ? ''
                      : html`<td>
                          <form method="post" action="${base}/streams/${s.key}/not-income" class="inline">
                            ${csrfField(o.user)}<input type="hidden" name="decisionId" value="${d.id}" />
                            <select name="kind" title="What the money is">
                              ${NOT_INCOME_OPTIONS.map(([v, label]) => html`<option value="${v}">${label}</option>`)}
                            </select>
                            <input type="text" name="reason" placeholder="Reason" required maxlength="500" size="14" /><button
                              type="submit"
                            >
                              Not income
                            </button>
                          </form>
                        </td>`
                  }
                </tr>`,
            )}
            ${emptyRow(streams, 8, 'No income streams detected.')}
          </tbody>
        </table>
        <p class="small">
          Irregular income counted: ${money(report.income?.irregularMonthlyMinor)} / month (<a
            href="${drill({ feature: 'irregular_monthly_income' })}"
            >${report.income?.irregularTransactionIds.length ?? 0} credits</a
          >) · <a href="${drill({ feature: 'never_income_credits' })}">credits that never count as income</a>
        </p>
        ${
          report.income?.personToPerson
            ? html`<p class="small p2p">
                Credits from individuals not counted: ${money(report.income.personToPerson.amountMinor)} from
                ${report.income.personToPerson.payers} ${report.income.personToPerson.payers === 1 ? 'person' : 'people'} (<a
                  href="${drill({ feature: 'person_to_person_credits_excluded' })}"
                  >${report.income.personToPerson.transactionIds.length} credits</a
                >)
              </p>`
            : ''
        }${report.income?.monoCrosscheck ? monoCrosscheckBlock(report.income.monoCrosscheck) : ''}`
    : '';

  const lenders = report.obligations?.lenders ?? [];
  const obligationsSection = d
    ? html`<h2>Obligations by lender</h2>
        <table class="lenders">
          <thead>
            <tr>
              <th>Lender</th>
              <th class="num">Monthly</th>
              <th class="num">Payments (90d)</th>
              <th class="num">Paid (90d)</th>
              <th>Last</th>
            </tr>
          </thead>
          <tbody>
            ${lenders.map(
              (l) =>
                html`<tr>
                  <td><a href="${drill({ lender: l.lender })}">${l.lender}</a></td>
                  <td class="num">${money(l.monthlyMinor)}</td>
                  <td class="num">${l.payments90d}</td>
                  <td class="num">${money(l.total90dMinor)}</td>
                  <td>${l.lastDate}</td>
                </tr>`,
            )}
            ${emptyRow(lenders, 5, 'No repayments to other lenders.')}
          </tbody>
        </table>
        <p class="small">
          Loan disbursements: ${report.obligations?.disbursements.last30dCount ?? 0} in 30 days,
          ${report.obligations?.disbursements.last90dCount ?? 0} in 90 days (${money(report.obligations?.disbursements.last90dTotalMinor)})
          — <a href="${drill({ feature: 'loan_disbursements_90d' })}">see them</a>
        </p>`
    : '';

  const f = report.flags;
  const flagsSection = html`<h2>Flags</h2>
    <p>
      ${f.codes.length ? f.codes.map((c) => html`<span class="badge warn flag">${c}</span> `) : html`<span class="muted">No flags.</span>`}
    </p>
    <table class="flags">
      <tbody>
        ${
          f.gambling
            ? html`<tr>
                <th>Gambling</th>
                <td>
                  stakes ${money(f.gambling.stakesMinor)}, payouts ${money(f.gambling.payoutsMinor)}, share of outflow
                  ${percent(f.gambling.share)} —
                  <a href="${drill({ feature: 'gambling_share' })}">${f.gambling.transactionIds.length} transactions</a>
                </td>
              </tr>`
            : ''
        }
        ${
          f.stacking
            ? html`<tr>
                <th>Loan stacking</th>
                <td>
                  ${f.stacking.disbursements30d} disbursements in 30
                  days${f.stacking.lenders30d.length ? html` from ${f.stacking.lenders30d.join(', ')}` : ''}; ${f.stacking.activeLenders90d}
                  active lenders in 90 days
                </td>
              </tr>`
            : ''
        }
        ${
          f.passThrough
            ? html`<tr>
                <th>Pass-through</th>
                <td>
                  ${f.passThrough.detected ? 'detected' : 'not detected'} (share
                  ${percent(f.passThrough.share)})${f.passThrough.topCounterparties.length ? html`; top counterparties ${f.passThrough.topCounterparties.join(', ')}` : ''}
                </td>
              </tr>`
            : ''
        }
        ${
          f.chronicOverdraft
            ? html`<tr>
                <th>Chronic overdraft</th>
                <td>
                  ${f.chronicOverdraft.detected ? 'detected' : 'not detected'}:
                  balance${f.chronicOverdraft.accountId ? ` of account ${f.chronicOverdraft.accountId}` : ''} negative on
                  ${f.chronicOverdraft.negativeDays} of ${f.chronicOverdraft.windowDays} days (refer above
                  ${percent(f.chronicOverdraft.shareThreshold)})
                </td>
              </tr>`
            : ''
        }
        <tr>
          <th>Data integrity</th>
          <td>
            ${f.integrity.balanceBreaks} balance
            breaks${
              Object.keys(f.integrity.byKind).length
                ? html` (${Object.entries(f.integrity.byKind)
                    .map(([k, v]) => `${k}: ${v}`)
                    .join(', ')})`
                : ''
            }
            ${f.integrity.transactionIds.length ? html` — <a href="${drill({ feature: 'data_integrity_findings' })}">see them</a>` : ''}
            ${
              f.integrity.openFindings.length
                ? html`<ul class="small">
                    ${f.integrity.openFindings.slice(0, 20).map((x) => html`<li>${x.kind} ${x.date ?? ''} ${x.transactionId ? html`<a href="${drill({ ids: x.transactionId })}">transaction</a>` : ''}</li>`)}
                  </ul>`
                : ''
            }
          </td>
        </tr>
      </tbody>
    </table>`;

  const accountsSection = html`<h2>Linked accounts</h2>
    <table class="accounts">
      <thead>
        <tr>
          <th>Institution</th>
          <th>Account</th>
          <th>Status</th>
          <th>Last sync</th>
          <th>Coverage</th>
          <th>Reauth</th>
        </tr>
      </thead>
      <tbody>
        ${report.accounts.map(
          (a) =>
            html`<tr>
              <td>${a.institution ?? '—'}</td>
              <td>${a.accountNumber ?? '—'} <span class="muted small">${a.accountType ?? ''}</span></td>
              <td>${a.dataStatus}</td>
              <td>
                ${
                  a.lastSyncedAt
                    ? html`${hours(a.freshnessHours)}
                        <div class="muted small">${lagosTime(a.lastSyncedAt)}</div>`
                    : 'never'
                }
              </td>
              <td>${coverageText(a.coverage)}</td>
              <td>${a.reauthRequired ? html`<span class="badge warn">since ${lagosTime(a.reauthRequiredSince, '?')}</span>` : 'no'}</td>
            </tr>`,
        )}
        ${emptyRow(report.accounts, 6, 'No linked accounts.')}
      </tbody>
    </table>`;

  const [currentNote, ...olderNotes] = report.notes;
  const noteBlock = (n: (typeof report.notes)[number]): SafeHtml =>
    html`<div class="note">
      <p class="muted small">Version ${String(n.version)} by ${n.author}, ${lagosTime(n.createdAt)}</p>
      <p class="note-body">${n.body}</p>
    </div>`;
  const noteForm = (user: User): SafeHtml =>
    html`<form method="post" action="${base}/decisions/${d!.id}/notes" class="note-form">
      ${csrfField(user)}<label for="note-body">${currentNote ? 'Save a new version' : 'Write a note'} (kept with every earlier version and audited)</label>
      <textarea id="note-body" name="body" rows="5" maxlength="4000" required>${currentNote?.body ?? ''}</textarea>
      <button type="submit">Save note</button>
    </form>`;
  const notesSection = d
    ? html`<h2 id="notes">Analyst notes</h2>
        ${currentNote ? noteBlock(currentNote) : html`<p class="muted">No note on this decision yet.</p>`}
        ${o.readOnly || !o.user ? '' : noteForm(o.user)}
        ${olderNotes.length ? html`<details><summary>Earlier versions (${String(olderNotes.length)})</summary>${olderNotes.map(noteBlock)}</details>` : ''}`
    : '';

  const historySection = html`<h2>Decision history</h2>
    <table class="history">
      <thead>
        <tr>
          <th>When</th>
          <th>Trigger</th>
          <th>Decision</th>
          <th class="num">Limit</th>
          <th>What changed</th>
        </tr>
      </thead>
      <tbody>
        ${report.history.map(
          (
            h,
          ) => html`<tr${d && h.id === d.id ? raw(' class="current"') : ''}><td><a href="${base}${query({ decisionId: h.id })}">${lagosTime(h.createdAt)}</a></td>
        <td>${h.trigger}${h.actor ? html` <span class="muted small">${h.actor}</span>` : ''}</td><td><span class="badge ${h.decision}">${h.decision}</span></td><td class="num">${money(h.recommendedLimitMinor)}</td>
        <td class="small">${h.changes.map((c) => html`<div>${c.field}: ${displayValue(c.field, c.from)} → ${displayValue(c.field, c.to)}</div>`)}
          ${h.reasonsAdded.length ? html`<div>+ reasons ${h.reasonsAdded.join(', ')}</div>` : ''}${h.reasonsRemoved.length ? html`<div>− reasons ${h.reasonsRemoved.join(', ')}</div>` : ''}
          ${h.flagsAdded.length ? html`<div>+ flags ${h.flagsAdded.join(', ')}</div>` : ''}${h.flagsRemoved.length ? html`<div>− flags ${h.flagsRemoved.join(', ')}</div>` : ''}</td></tr>`,
        )}
      </tbody>
    </table>`;

  return layout({
    title: report.borrower.fullName,
    user: o.user,
    standalone: o.readOnly,
    body: html`${head}${decisionSection}${chartsSection}${incomeTable}${obligationsSection}${report.analysis ? analysisSection(report.analysis, drill) : ''}${flagsSection}${accountsSection}${notesSection}${historySection}`,
  });
}

/** Why the grade is what it is, in one line (docs/scoring.md "Risk grade"). */
export function gradeExplanation(g: ReportDecision['grade']): string {
  if (g.grade === 'E') return 'Grade E: declined.';
  if (g.grade === 'D') return 'Grade D: referred to an analyst.';
  const parts = g.parts.map((p) => (p.what === 'headroom' ? `DSR headroom ${g.headroom === null ? 'unknown' : percent(g.headroom)}: ${p.points}` : `${p.what}: ${p.points}`));
  return `Grade ${g.grade}: ${g.points} point(s) — ${parts.join(', ')} (A 0–1, B 2–3, C 4+).`;
}

export function displayValue(field: string, v: string | number | null): string {
  if (v === null) return '—';
  if (typeof v === 'number' && field.endsWith('Minor')) return money(v);
  if (field === 'postLoanDsr' || field === 'gamblingShare') return percent(String(v));
  return String(v);
}

function coverageText(c: Record<string, unknown> | null): string {
  if (!c) return '—';
  const months = c.completeMonths;
  const first = c.firstDate;
  const last = c.lastDate;
  return (
    `${typeof months === 'number' ? `${months} complete months` : ''}${typeof first === 'string' ? ` (${first} → ${typeof last === 'string' ? last : '?'})` : ''}`.trim() ||
    '—'
  );
}

export function drillDownPage(dd: DrillDown, user: User, readOnly = false): string {
  const base = `/analyst/borrowers/${dd.borrowerId}`;
  const categories = TRANSACTION_CATEGORIES;
  const rows = dd.transactions.map(
    (t) =>
      html`<tr class="txn" data-transaction="${t.id}">
        <td class="nowrap">${t.bookingDate}</td>
        <td>
          ${t.narration}
          <div class="muted small">${t.counterparty ?? ''}</div>
        </td>
        <td class="num">${t.direction === 'credit' ? money(t.amountMinor) : ''}</td>
        <td class="num">${t.direction === 'debit' ? money(t.amountMinor) : ''}</td>
        <td class="num">${money(t.balanceMinor)}</td>
        <td>
          ${t.category}
          <div class="muted small">
            ${t.categoryRule}${t.categorySource === 'analyst' ? ' (analyst)' : ''}${t.status === 'removed' ? ' · removed' : ''}${t.countedInCashFlow ? '' : ' · not in cash flow'}
          </div>
        </td>
        ${
          readOnly
            ? ''
            : html`<td>
                <form method="post" action="${base}/transactions/${t.id}/category" class="inline">
                  ${csrfField(user)}
                  <select name="category">
                    ${categories.map((c) => html`<option value="${c}" ${c === t.category ? raw(' selected') : ''}>${c}</option>`)}
                  </select>
                  <input type="text" name="reason" placeholder="Reason" required maxlength="500" size="12" /><button type="submit">
                    Recategorise
                  </button>
                </form>
              </td>`
        }
      </tr>`,
  );
  return layout({
    title: dd.title,
    user,
    body: html`<p><a href="${base}${query({ decisionId: dd.decisionId })}">← ${dd.fullName}</a></p>
      <h1>${dd.title}</h1>
      <p class="muted">${dd.note}</p>
      <p class="small">
        ${dd.totals.count} transactions · credits ${money(dd.totals.creditsMinor)} · debits
        ${money(dd.totals.debitsMinor)}${dd.figureMinor !== null ? html` · figure ${dd.figureUnit === 'count' ? String(dd.figureMinor) : money(dd.figureMinor)}` : ''}
      </p>
      <table class="transactions">
        <thead>
          <tr>
            <th>Date</th>
            <th>Narration</th>
            <th class="num">Credit</th>
            <th class="num">Debit</th>
            <th class="num">Balance</th>
            <th>Category</th>
            ${readOnly ? '' : html`<th>Override</th>`}
          </tr>
        </thead>
        <tbody>
          ${
            rows.length
              ? rows
              : html`<tr>
                  <td colspan="7" class="muted">No transactions.</td>
                </tr>`
          }
        </tbody>
      </table>`,
  });
}

/** Live decisions against the shadow policy computed beside them (docs/scoring.md "Shadow policy"). */
function shadowSection(sh: PortfolioReport['shadow']): SafeHtml | '' {
  if (!sh) return '';
  const D = ['approve', 'refer', 'decline'] as const;
  return html`<h2>Shadow policy</h2>
    <p class="muted small" data-testid="shadow-summary">
      <code>${sh.policyVersion}</code> (${sh.active ? 'active' : 'retired'}) computed beside ${sh.decisions} live decisions in the window, never
      acted on. Approvals ${sh.live.approve} live → ${sh.shadow.approve} shadow; limits ${money(sh.live.totalLimitMinor)} →
      ${money(sh.shadow.totalLimitMinor)}.
    </p>
    <table class="flips" data-testid="shadow-flips">
      <thead>
        <tr>
          <th>Live ↓ / shadow →</th>
          ${D.map((d) => html`<th class="num">${d}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${D.map(
          (a) => html`<tr>
            <td>${a}</td>
            ${D.map((b) => html`<td class="num">${sh.flips[a][b]}</td>`)}
          </tr>`,
        )}
      </tbody>
    </table>`;
}

export function portfolioPage(p: PortfolioReport, user: User | null, opts: { standalone?: boolean } = {}): string {
  const max = Math.max(1, ...p.decisionsOverTime.map((d) => d.total));
  const bar = (n: number, color: string): SafeHtml =>
    html`<span class="pbar" style="display:inline-block;height:10px;background:${color};width:${Math.round((n / max) * 160)}px"></span>`;
  return layout({
    title: 'Portfolio',
    user,
    standalone: opts.standalone,
    body: html`<h1>Portfolio ${p.from} → ${p.to}</h1>
      <form method="get" action="/analyst/portfolio" class="inline">
        <label>From <input type="date" name="from" value="${p.from}" /></label
        ><label>To <input type="date" name="to" value="${p.to}" /></label><button type="submit">Show</button>
        <a href="/v1/reports/portfolio${query({ from: p.from, to: p.to, format: 'csv' })}">CSV</a>
        <a href="/v1/reports/portfolio${query({ from: p.from, to: p.to })}">JSON</a>
      </form>
      <div class="figures">
        <div class="figure">
          <div class="label">Decisions</div>
          <div class="value">${p.totals.decisions}</div>
        </div>
        <div class="figure">
          <div class="label">Approve / refer / decline</div>
          <div class="value">${p.totals.approve} / ${p.totals.refer} / ${p.totals.decline}</div>
        </div>
        <div class="figure">
          <div class="label">Borrowers with a limit</div>
          <div class="value">${p.limits.borrowersWithLimit}</div>
        </div>
        <div class="figure">
          <div class="label">Median limit</div>
          <div class="value">${money(p.limits.medianMinor)}</div>
        </div>
        <div class="figure">
          <div class="label">Reauth backlog</div>
          <div class="value">${p.reauthBacklog.length}</div>
        </div>
        <div class="figure">
          <div class="label">Sync failures</div>
          <div class="value">${p.syncs.failures}</div>
        </div>
      </div>
      ${creditSection(p.credit)} ${shadowSection(p.shadow)}
      <h2>Decisions per ${p.unit}</h2>
      <table class="decisions-over-time">
        <thead>
          <tr>
            <th>${p.unit === 'week' ? 'Week of' : 'Month'}</th>
            <th class="num">Approve</th>
            <th class="num">Refer</th>
            <th class="num">Decline</th>
            <th class="num">Total</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${p.decisionsOverTime.map(
            (d) =>
              html`<tr>
                <td>${d.period}</td>
                <td class="num">${d.approve}</td>
                <td class="num">${d.refer}</td>
                <td class="num">${d.decline}</td>
                <td class="num">${d.total}</td>
                <td>${bar(d.approve, '#2e7d32')}${bar(d.refer, '#ef6c00')}${bar(d.decline, '#c62828')}</td>
              </tr>`,
          )}
          ${emptyRow(p.decisionsOverTime, 6, 'No decisions in this window.')}
        </tbody>
      </table>
      <h2>Limits (latest decision per borrower)</h2>
      <table class="limits">
        <thead>
          <tr>
            <th>Limit</th>
            <th class="num">Borrowers</th>
          </tr>
        </thead>
        <tbody>
          ${p.limits.buckets.map(
            (b) =>
              html`<tr>
                <td>${b.label}</td>
                <td class="num">${b.count}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <h2>Re-underwriting outcomes per cycle</h2>
      ${
        p.reunderwriting.available
          ? html`<table class="cycles">
              <thead>
                <tr>
                  <th>Cycle</th>
                  <th>Started</th>
                  <th class="num">Raised</th>
                  <th class="num">Lowered</th>
                  <th class="num">Frozen</th>
                </tr>
              </thead>
              <tbody>
                ${p.reunderwriting.cycles.map(
                  (c) =>
                    html`<tr>
                      <td><code>${c.cycleId.slice(0, 8)}</code></td>
                      <td>${lagosTime(c.startedAt)}</td>
                      <td class="num">${c.raised}</td>
                      <td class="num">${c.lowered}</td>
                      <td class="num">${c.frozen}</td>
                    </tr>`,
                )}
                ${emptyRow(p.reunderwriting.cycles, 5, 'No limit changes in this window.')}
              </tbody>
            </table>`
          : html`<p class="muted">Re-underwriting has not recorded any cycle yet.</p>`
      }
      <h2>Accounts needing re-authorisation</h2>
      <table class="reauth">
        <thead>
          <tr>
            <th>Borrower</th>
            <th>Institution</th>
            <th>Since</th>
            <th class="num">Days</th>
          </tr>
        </thead>
        <tbody>
          ${p.reauthBacklog.map(
            (b) =>
              html`<tr>
                <td><a href="/analyst/borrowers/${b.borrowerId}">${b.fullName}</a> <span class="muted small">${b.externalId}</span></td>
                <td>${b.institution ?? '—'}</td>
                <td>${b.since.slice(0, 10)}</td>
                <td class="num">${b.days}</td>
              </tr>`,
          )}
          ${emptyRow(p.reauthBacklog, 4, 'Nothing to chase.')}
        </tbody>
      </table>
      <h2>Data freshness (${p.freshness.accounts} linked accounts)</h2>
      <table class="freshness">
        <tbody>
          ${p.freshness.buckets.map(
            (b) =>
              html`<tr>
                <td>${b.label}</td>
                <td class="num">${b.count}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <h2>Syncs</h2>
      <table class="syncs">
        <thead>
          <tr>
            <th>Outcome</th>
            <th class="num">Runs</th>
            <th class="num">Accounts</th>
          </tr>
        </thead>
        <tbody>
          ${p.syncs.outcomes.map(
            (o) =>
              html`<tr>
                <td>${o.status}</td>
                <td class="num">${o.count}</td>
                <td class="num">${o.accounts}</td>
              </tr>`,
          )}
          ${emptyRow(p.syncs.outcomes, 3, 'No sync runs in this window.')}
        </tbody>
      </table>
      <h2>Top reason codes</h2>
      <table class="top-reasons">
        <tbody>
          ${p.topReasons.map(
            (r) =>
              html`<tr>
                <td><code>${r.code}</code></td>
                <td class="num">${r.count}</td>
              </tr>`,
          )}
          ${emptyRow(p.topReasons, 2, 'None.')}
        </tbody>
      </table>
      <h2>By risk grade</h2>
      <p class="small muted">Latest decision per borrower in the window; A–C approvals, D referred, E declined (docs/scoring.md, "Risk grade").</p>
      <table class="grades">
        <thead>
          <tr>
            <th>Grade</th>
            <th class="num">Borrowers</th>
            <th class="num">Total limit</th>
            <th class="num">Median limit</th>
          </tr>
        </thead>
        <tbody>
          ${p.grades.map(
            (g) =>
              html`<tr>
                <td>${g.grade}</td>
                <td class="num">${g.borrowers}</td>
                <td class="num">${money(g.totalLimitMinor)}</td>
                <td class="num">${g.medianLimitMinor === null ? '—' : money(g.medianLimitMinor)}</td>
              </tr>`,
          )}
        </tbody>
      </table>`,
  });
}

/** "How this limit was set": every step of the engine's chain with its formula, the binding term highlighted. */
export function limitChainSection(chain: LimitChain, drill: (params: Record<string, string>) => string, declined: boolean): SafeHtml {
  const link = (params: Record<string, string> | null, key: string, text: string): SafeHtml | string => {
    if (key === 'free_cash_flow') return html`<a href="#limit-fcf">${text}</a>`;
    return params ? html`<a href="${drill(params)}">${text}</a>` : text;
  };
  const f = chain.freeCashFlow;
  return html`<section class="limit-chain" id="limit-chain">
    <h2>How this limit was set${declined ? ' (computed; not offered)' : ''}</h2>
    <p class="muted small">
      Recompute it from these rows: each figure comes from the one above it (docs/scoring.md § Limit). The highlighted row is the binding
      constraint
      (${chain.bindingConstraint}).${chain.reproduced ? ' The chain reproduces the stored limit.' : ' The chain does not reproduce the stored limit: investigate.'}${chain.policyAvailable ? '' : ' The decision’s stored policy is not available: the product minimum is not shown and the risk factor is the stored, rounded one.'}
    </p>
    ${chain.headlineNote ? html`<p class="notice small">${chain.headlineNote}</p>` : ''}
    <table class="limit-chain">
      <thead>
        <tr>
          <th>Step</th>
          <th class="num">Value</th>
          <th>How</th>
        </tr>
      </thead>
      <tbody>
        ${chain.steps.map(
          (s) =>
            html`<tr data-step="${s.key}" class="${s.binding ? 'binding' : 'step'}">
              <td>
                ${declined && s.key === 'recommended_limit' ? 'Computed limit (not offered)' : s.label}${s.binding ? html` <span class="badge warn">binding</span>` : ''}
              </td>
              <td class="num">${link(s.drill, s.key, chainValue(s.unit, s.value))}</td>
              <td class="small">${s.formula}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      chain.riskFactors.length
        ? html`<p class="small">
            Risk factors: ${chain.riskFactors.map((h) => html`<span class="risk-factor">${h.code} × ${h.factor} (${h.why})</span>; `)}
          </p>`
        : ''
    }
    <h3 id="limit-fcf">Free cash flow by month</h3>
    <table class="fcf-months">
      <thead>
        <tr>
          <th>Month</th>
          <th class="num">Qualifying inflow</th>
          <th class="num">Essential outflow</th>
        </tr>
      </thead>
      <tbody>
        ${f.months.map(
          (m) =>
            html`<tr>
              <td><a href="${drill({ month: m.month })}">${m.month}</a></td>
              <td class="num">${money(m.qualifyingInflowMinor)}</td>
              <td class="num">${money(m.essentialOutflowMinor)}</td>
            </tr>`,
        )}
        <tr class="total">
          <td>Median</td>
          <td class="num">${money(f.medianQualifyingInflowMinor)}</td>
          <td class="num">${money(f.medianEssentialOutflowMinor)}</td>
        </tr>
      </tbody>
    </table>
    <p class="small">
      Free cash flow = ${money(f.medianQualifyingInflowMinor)} − ${money(f.medianEssentialOutflowMinor)} − obligations
      ${money(f.existingObligationsMinor)} = <strong>${money(f.freeCashFlowMinor)}</strong>
    </p>
  </section>`;
}

/** Drill-down parameters for a list of transaction ids (the drill-down takes at most 1,000). */
function idsParam(ids: readonly string[]): Record<string, string> {
  return { ids: ids.slice(0, 1000).join(',') };
}

/** Month table, spend by category per month, top counterparties and recurring debits (computed in the model). */
export function analysisSection(a: StatementAnalysis, drill: (params: Record<string, string>) => string): SafeHtml {
  const debitCats = a.categories.filter((c) => c.direction === 'debit');
  const cp = (title: string, list: StatementAnalysis['topCounterparties']['credits']): SafeHtml =>
    html`<h3>${title}</h3>
      <table class="counterparties">
        <thead>
          <tr>
            <th>Counterparty</th>
            <th class="num">Transactions</th>
            <th class="num">Total</th>
            <th class="num">Share</th>
            <th>First → last</th>
          </tr>
        </thead>
        <tbody>
          ${list.map(
            (c) =>
              html`<tr>
                <td>
                  <a href="${drill(idsParam(c.transactionIds))}">${c.name}</a> <span class="muted small">${c.categories.join(', ')}</span>
                </td>
                <td class="num">${c.count}</td>
                <td class="num">${money(c.totalMinor)}</td>
                <td class="num">${percent(c.share)}</td>
                <td class="small">${c.firstDate} → ${c.lastDate}</td>
              </tr>`,
          )}
          ${emptyRow(list, 5, 'None.')}
        </tbody>
      </table>`;
  return html`<section class="statement-analysis" id="analysis">
    <h2 id="statement-analysis">Statement analysis</h2>
    <p class="muted small">
      ${a.transactionCount} transactions the decision saw, ${a.from ?? '—'} → ${a.to ?? '—'}. Credits and debits are the bank’s own rows;
      the engine’s cash flow (which leaves out self-transfers and failed debits and nets reversals) is shown beside them. Balances are
      end-of-day, summed over accounts.
    </p>
    <div class="scroll">
      <table class="months">
        <thead>
          <tr>
            <th>Month</th>
            <th class="num">Credits</th>
            <th class="num">Debits</th>
            <th class="num">Net</th>
            <th class="num">Opening</th>
            <th class="num">Closing</th>
            <th class="num">Min</th>
            <th class="num">Average</th>
            <th class="num">Salary</th>
            <th class="num">Charges</th>
            <th class="num">Engine in / out</th>
          </tr>
        </thead>
        <tbody>
          ${a.months.map(
            (m) =>
              html`<tr data-month="${m.month}">
                <td class="nowrap">
                  <a href="${drill({ month: m.month })}">${m.month}</a>${m.partial ? html` <span class="muted small">partial</span>` : ''}
                </td>
                <td class="num">
                  ${money(m.creditsMinor)}
                  <div class="muted small">${m.creditCount} credits</div>
                </td>
                <td class="num">
                  ${money(m.debitsMinor)}
                  <div class="muted small">${m.debitCount} debits</div>
                </td>
                <td class="num">${money(m.netMinor)}</td>
                <td class="num">${money(m.openingBalanceMinor)}</td>
                <td class="num">${money(m.closingBalanceMinor)}</td>
                <td class="num">${money(m.minBalanceMinor)}</td>
                <td class="num">${money(m.averageBalanceMinor)}</td>
                <td class="num">
                  ${money(m.salaryMinor)}
                  <div class="muted small">${m.salaryCount} payments</div>
                </td>
                <td class="num">${money(m.chargesMinor)}</td>
                <td class="num small">
                  ${m.engineInflowMinor === null ? '—' : html`${money(m.engineInflowMinor)}<br />${money(m.engineOutflowMinor)}`}
                </td>
              </tr>`,
          )}
          ${emptyRow(a.months, 11, 'No transactions.')}
        </tbody>
      </table>
    </div>
    <h3>Spend by category per month</h3>
    <div class="scroll">
      <table class="categories">
        <thead>
          <tr>
            <th>Category</th>
            ${a.months.map((m) => html`<th class="num">${m.month}</th>`)}
            <th class="num">Total</th>
          </tr>
        </thead>
        <tbody>
          ${debitCats.map(
            (c) =>
              html`<tr data-category="${c.category}">
                <td><a href="${drill({ category: c.category })}">${c.category}</a></td>
                ${c.byMonth.map((v) => html`<td class="num">${v ? money(v) : '—'}</td>`)}
                <td class="num">${money(c.totalMinor)}</td>
              </tr>`,
          )}
          ${emptyRow(debitCats, a.months.length + 2, 'No debits.')}
        </tbody>
      </table>
    </div>
    ${cp('Top counterparties paying in', a.topCounterparties.credits)} ${cp('Top counterparties paid', a.topCounterparties.debits)}
    <h3>Recurring debits</h3>
    <p class="muted small">The same counterparty and category in 3 or more months, every payment within 25% of the typical one.</p>
    <table class="recurring">
      <thead>
        <tr>
          <th>Counterparty</th>
          <th>Kind</th>
          <th class="num">Months</th>
          <th class="num">Payments</th>
          <th class="num">Typical</th>
          <th class="num">Total</th>
          <th>Last</th>
        </tr>
      </thead>
      <tbody>
        ${a.recurringDebits.map(
          (r) =>
            html`<tr>
              <td><a href="${drill(idsParam(r.transactionIds))}">${r.counterparty}</a> <span class="muted small">${r.category}</span></td>
              <td>${r.kind.replace(/_/g, ' ')}</td>
              <td class="num">${r.months}</td>
              <td class="num">${r.count}</td>
              <td class="num">${money(r.typicalAmountMinor)}</td>
              <td class="num">${money(r.totalMinor)}</td>
              <td>${r.lastDate}</td>
            </tr>`,
        )}
        ${emptyRow(a.recurringDebits, 7, 'No recurring debits.')}
      </tbody>
    </table>
  </section>`;
}

const share = (v: string | null): string => (v === null ? '—' : `${new Decimal(v).times(100).toDecimalPlaces(1).toFixed(1)}%`);

/** The lender's own book, first on the portfolio page: what a credit committee reads before anything else. */
function creditSection(c: CreditPerformance): SafeHtml {
  const latest = c.vintages.slice(-7);
  const chart = vintageChart({
    id: 'vintage-curves',
    title: 'Vintages: share of disbursed principal ever 30+ days past due',
    series: latest.map((v) => ({ cohort: v.cohort, points: v.points.map((p) => ({ monthsOnBook: p.monthsOnBook, share: Number(p.ever30Share) })) })),
  });
  const maxMob = Math.max(0, ...c.vintages.map((v) => v.points.length));
  const funnel = (title: string, rows: CreditPerformance['funnel']['byDecision'], cls: string): SafeHtml => html`<h3>${title}</h3>
    <table class="${cls}">
      <thead>
        <tr>
          <th></th>
          <th class="num">Applications</th>
          <th class="num">Decided</th>
          <th class="num">Loans</th>
          <th class="num">Repaid</th>
          <th class="num">Current</th>
          <th class="num">1–30 DPD</th>
          <th class="num">30+ DPD</th>
          <th class="num">Written off</th>
          <th class="num">Bad rate</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (f) => html`<tr>
            <td>${f.key}</td>
            <td class="num">${f.applications}</td>
            <td class="num">${f.decided}</td>
            <td class="num">${f.loans}</td>
            <td class="num">${f.repaid}</td>
            <td class="num">${f.current}</td>
            <td class="num">${f.late}</td>
            <td class="num">${f.dpd30Plus}</td>
            <td class="num">${f.writtenOff}</td>
            <td class="num">${share(f.badRate)}</td>
          </tr>`,
        )}
        ${emptyRow(rows, 10, 'No applications in this window.')}
      </tbody>
    </table>`;
  return html`<h2>Credit performance (the lender's own loans, as of ${c.asOf})</h2>
    <div class="figures credit">
      <div class="figure">
        <div class="label">Outstanding principal</div>
        <div class="value">${money(c.exposure.outstandingPrincipalMinor)}</div>
      </div>
      <div class="figure">
        <div class="label">Open loans</div>
        <div class="value">${c.exposure.openLoans}</div>
      </div>
      <div class="figure">
        <div class="label">PAR30</div>
        <div class="value par30">${share(c.par30)}</div>
      </div>
      <div class="figure">
        <div class="label">PAR90</div>
        <div class="value par90">${share(c.par90)}</div>
      </div>
    </div>
    <p class="muted small">PAR30 / PAR90: outstanding principal of open loans more than 30 / 90 days past due ÷ all outstanding principal.</p>
    <h3>Arrears</h3>
    <table class="arrears">
      <thead>
        <tr>
          <th>Bucket</th>
          <th class="num">Loans</th>
          <th class="num">Outstanding principal</th>
        </tr>
      </thead>
      <tbody>
        ${c.buckets.map(
          (b) => html`<tr>
            <td>${b.label}</td>
            <td class="num">${b.loans}</td>
            <td class="num">${money(b.outstandingPrincipalMinor)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <h3>By month</h3>
    <table class="credit-months">
      <thead>
        <tr>
          <th>Month</th>
          <th class="num">Disbursed</th>
          <th class="num">Collected</th>
          <th class="num">Written off</th>
          <th class="num">Outstanding (month-end)</th>
          <th class="num">PAR30</th>
        </tr>
      </thead>
      <tbody>
        ${c.months.map(
          (m) => html`<tr>
            <td>${m.month}</td>
            <td class="num">${money(m.disbursedPrincipalMinor)} <span class="muted small">(${m.disbursedLoans})</span></td>
            <td class="num">${money(m.collectedMinor)}</td>
            <td class="num">${money(m.writtenOffPrincipalMinor)}</td>
            <td class="num">${money(m.outstandingPrincipalMinor)}</td>
            <td class="num">${share(m.par30)}</td>
          </tr>`,
        )}
        ${emptyRow(c.months, 6, 'No months in this window.')}
      </tbody>
    </table>
    <h3>Roll rates (share of each bucket's principal that rolled to a worse bucket or was written off)</h3>
    <table class="roll-rates">
      <thead>
        <tr>
          <th>From → to</th>
          ${c.buckets.map((b) => html`<th class="num">${b.label}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${c.rollRates.map(
          (r) => html`<tr>
            <td>${r.from} → ${r.to}</td>
            ${c.buckets.map((b) => html`<td class="num">${share(r.rollForward[b.key])}</td>`)}
          </tr>`,
        )}
        ${emptyRow(c.rollRates, 1 + c.buckets.length, 'Fewer than two month-ends in this window.')}
      </tbody>
    </table>
    <h3>Vintages</h3>
    ${c.vintages.length > 0 ? raw(renderSvg(chart)) : html`<p class="muted">No loans disbursed in this window.</p>`}
    <table class="vintages">
      <thead>
        <tr>
          <th>Disbursed</th>
          <th class="num">Loans</th>
          <th class="num">Principal</th>
          ${Array.from({ length: maxMob }, (_, k) => html`<th class="num">MOB ${k + 1}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${c.vintages.map(
          (v) => html`<tr>
            <td>${v.cohort}</td>
            <td class="num">${v.loans}</td>
            <td class="num">${money(v.disbursedPrincipalMinor)}</td>
            ${Array.from({ length: maxMob }, (_, k) => html`<td class="num">${v.points[k] ? share(v.points[k].ever30Share) : ''}</td>`)}
          </tr>`,
        )}
      </tbody>
    </table>
    ${funnel('Funnel by decision', c.funnel.byDecision, 'funnel-decision')} ${funnel('Funnel by policy version', c.funnel.byPolicy, 'funnel-policy')}`;
}

/** Mono's income estimate beside the verified income (MONO_INCOME_CROSSCHECK), with the reason when they differ. */
function monoCrosscheckBlock(c: NonNullable<NonNullable<BorrowerReport['income']>['monoCrosscheck']>): SafeHtml {
  return html`<section class="mono-income" id="mono-income" data-status="${c.status}" data-differs="${c.differs ? 'true' : 'false'}">
    <h3>Mono's income estimate (cross-check)</h3>
    <p class="small">
      Mono: <strong>${c.monoMonthlyMinor === null ? '—' : money(c.monoMonthlyMinor)}</strong> / month · engine verified:
      <strong>${money(c.engineVerifiedMonthlyMinor)}</strong> / month${c.differencePct === null ? '' : html` · difference ${c.differencePct}%`}
    </p>
    <p class="small">${c.summary}</p>
    ${c.reason ? html`<p class="small badge warn mono-income-reason">${c.reason}</p>` : ''}
    <p class="muted small">Information for the analyst only: the decision never depends on Mono's estimate.</p>
  </section>`;
}
