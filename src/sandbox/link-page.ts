/**
 * The hosted link page at `mono_url` (API reference §2.2, §2.3): server-rendered HTML, no script needed to use it.
 * Scope `auth`, two steps:
 *   1. the data-sharing notice (what is retrieved, for which purposes, its version `SANDBOX_NOTICE_VERSION`) with an
 *      `underwriting` box (required) and separate `monitoring` and `income_verification` opt-ins → "Continue";
 *   2. pick a profile (persona) and "Log in" → the account is created from it and linked (`account_connected`, then
 *      `account_updated`). The account, identity and narrations carry the initiate call's customer name (a person
 *      links their own account) unless "Someone else's account" is ticked (`name_mismatch=1`: the profile's invented
 *      holder, which the engine reports as ACCOUNT_NAME_MISMATCH).
 * Linking is refused (400, nothing linked, no webhook) unless the post carries the ticked underwriting box and the
 * current notice version. The sandbox plays Mono, which never calls the lender's API: the page hands the choices back
 * (a `consent_given` postMessage and a JSON block on step 2, before the login; the same on the "Linked" page; query
 * parameters on the `redirect_url` link) and the lender's frontend records them with
 * `POST /v1/borrowers/{id}/consents` (docs/sandbox.md, "Hosted link page").
 * Scope `reauth`: "Re-authorise" → `account_reauthorized`, then `account_updated` with fresh data (no new consent);
 * the "Re-authorised" page hands back the widget's new code (a `reauthorised` postMessage, the JSON block, `code` on
 * the `redirect_url`) unless the sandbox runs with `reauthIssuesCode: false`.
 */
import { randomBytes } from 'node:crypto';
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { SandboxError } from './envelope.js';
import { personaList } from './persona-catalog.js';
import type { SandboxContext } from './sandbox-context.js';
import type { LinkSession } from './types.js';

/** Version of the data-sharing notice the page shows; sent back as `noticeVersion`. Change it when the text changes. */
export const SANDBOX_NOTICE_VERSION = 'sandbox-notice-v2';
/** Months of continuous retrieval the monitoring box asks for (the engine's CONSENT_MONITORING_MONTHS default). */
export const SANDBOX_MONITORING_MONTHS = 12;

export type SandboxConsentPurpose = 'underwriting' | 'monitoring' | 'income_verification';

/** What the borrower agreed to on the page, as handed back to the lender's frontend. */
export interface SandboxConsentChoice {
  /** The initiate call's `meta.ref` (the engine's connect-session reference). */
  ref: string | null;
  purposes: SandboxConsentPurpose[];
  noticeVersion: string;
  channel: 'web';
}

/** The message the page posts to `window.opener` (or the embedding parent). */
export interface SandboxConsentMessage {
  source: 'mono-sandbox';
  type: 'consent_given' | 'linked';
  data: SandboxConsentChoice;
}

/**
 * What a finished re-authorisation hands back (like the widget's `onSuccess({ code })`): the new widget code, which
 * exchanges to the same account id; null when the sandbox plays a widget that issues none (`reauthIssuesCode: false`).
 */
export interface SandboxReauthMessage {
  source: 'mono-sandbox';
  type: 'reauthorised';
  data: { ref: string | null; code: string | null };
}

interface ConsentForm {
  underwriting: boolean;
  monitoring: boolean;
  incomeVerification: boolean;
  noticeVersion: string;
}

export function linkPageRouter(ctx: SandboxContext): Router {
  const r = Router();
  r.use(express.urlencoded({ extended: false, limit: '16kb' }));
  const { bank } = ctx;
  const id = (req: Request): string => String(req.params.id);

  r.get('/:id', (req, res) => {
    const session = bank.linkSession(id(req));
    if (session.completedAt) return page(res, 200, 'Already done', '<p>This link has already been used. You can close this window.</p>');
    if (session.scope === 'reauth') {
      const acc = session.accountId ? bank.anyAccount(session.accountId) : null;
      return page(
        res,
        200,
        'Re-authorise your account',
        `<p>Your bank needs you to log in again so we can keep your account <strong>${esc(acc?.institution.name ?? '')}</strong> up to date.</p>
<form method="post"><button type="submit">Re-authorise</button></form>`,
      );
    }
    consentStep(res, 200, { monitoring: false, incomeVerification: false });
  });

  r.post('/:id', (req, res) => {
    const session = bank.linkSession(id(req));
    if (session.scope === 'reauth') {
      if (!session.accountId) throw new SandboxError(400, 'This link has no account');
      const { code } = bank.completeReauth(session.accountId, session.id);
      return done(res, session, null, code);
    }
    if (session.completedAt) throw new SandboxError(409, 'This link has already been used', 'CONFLICT');
    const form = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
    const consent = readConsent(form);
    if (consent.noticeVersion !== SANDBOX_NOTICE_VERSION) {
      return consentStep(res, 400, { monitoring: consent.monitoring, incomeVerification: consent.incomeVerification, error: 'The notice has changed since this page was opened. Read it again and confirm your choices.' });
    }
    if (!consent.underwriting) {
      return consentStep(res, 400, {
        monitoring: consent.monitoring,
        incomeVerification: consent.incomeVerification,
        error: 'Tick the underwriting box to continue: without it your bank account cannot be linked.',
      });
    }
    const choice = choiceOf(session, consent);
    if (form.step === 'consent') return bankStep(res, session, choice, bank.sessionCustomer(session)?.name?.trim() || null);
    bank.completeAuthLink(session.id, typeof form.persona === 'string' ? form.persona : '', {
      partial: form.partial === '1',
      nameMismatch: form.name_mismatch === '1',
    });
    done(res, session, choice);
  });

  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof SandboxError) return page(res, err.status, 'Something went wrong', `<p>${esc(err.message)}</p>`);
    ctx.log.error({ err: err instanceof Error ? err.message : String(err) }, 'sandbox link page failed');
    page(res, 500, 'Something went wrong', '<p>Please try again.</p>');
  };
  r.use(onError);
  return r;
}

function readConsent(form: Record<string, unknown>): ConsentForm {
  return {
    underwriting: form.consent_underwriting === '1',
    monitoring: form.consent_monitoring === '1',
    incomeVerification: form.consent_income_verification === '1',
    noticeVersion: typeof form.notice_version === 'string' ? form.notice_version : '',
  };
}

function choiceOf(session: LinkSession, consent: ConsentForm): SandboxConsentChoice {
  return {
    ref: session.ref,
    purposes: ['underwriting', ...(consent.monitoring ? (['monitoring'] as const) : []), ...(consent.incomeVerification ? (['income_verification'] as const) : [])],
    noticeVersion: SANDBOX_NOTICE_VERSION,
    channel: 'web',
  };
}

/** Step 1: the data-sharing notice and the consent boxes. */
function consentStep(res: Response, status: number, opts: { monitoring: boolean; incomeVerification: boolean; error?: string }): void {
  const error = opts.error ? `<div id="consent-error" class="error" role="alert"><strong>Please check:</strong> ${esc(opts.error)}</div>\n` : '';
  const describedBy = opts.error ? 'underwriting-help consent-error' : 'underwriting-help';
  page(
    res,
    status,
    'Share your bank data',
    `${error}<p class="step">Step 1 of 2: your consent</p>
<section aria-labelledby="notice-title">
<h2 id="notice-title">What the lender will retrieve</h2>
<p>The lender that sent you here asks to retrieve, through Mono, from the bank account you are about to link:</p>
<ul>
<li><strong>Balances</strong> of the account;</li>
<li><strong>Transactions</strong>: up to 12 months of history, with their descriptions;</li>
<li><strong>Identity</strong>: the account holder's name, BVN, phone number, e-mail, date of birth and address as your bank holds them.</li>
</ul>
<p>You can withdraw your consent at any time through the lender; it then stops retrieving your data, and withdrawing every consent unlinks the account. Notice version <code>${esc(SANDBOX_NOTICE_VERSION)}</code>.</p>
</section>
<form method="post">
<input type="hidden" name="step" value="consent">
<input type="hidden" name="notice_version" value="${esc(SANDBOX_NOTICE_VERSION)}">
<fieldset><legend>What the lender may use your data for</legend>
<div class="choice"><input type="checkbox" id="consent_underwriting" name="consent_underwriting" value="1" required aria-describedby="${describedBy}"${opts.error ? ' aria-invalid="true"' : ''}>
<label for="consent_underwriting"><strong>Underwriting (required)</strong>: to decide this loan application.</label>
<p id="underwriting-help" class="help">Without this consent the account cannot be linked.</p></div>
<div class="choice"><input type="checkbox" id="consent_monitoring" name="consent_monitoring" value="1" aria-describedby="monitoring-help"${opts.monitoring ? ' checked' : ''}>
<label for="consent_monitoring"><strong>Monitoring (optional)</strong>: continuous retrieval after this application, to review your credit limit and re-underwrite you.</label>
<p id="monitoring-help" class="help">For ${SANDBOX_MONITORING_MONTHS} months unless you withdraw it earlier. You can leave this box empty and still apply.</p></div>
<div class="choice"><input type="checkbox" id="consent_income_verification" name="consent_income_verification" value="1" aria-describedby="income-help"${opts.incomeVerification ? ' checked' : ''}>
<label for="consent_income_verification"><strong>Income verification (optional)</strong>: the lender may also ask Mono's income product for its own estimate of your income from the same account, as a second opinion beside the lender's.</label>
<p id="income-help" class="help">Nothing more is retrieved from your bank for it. You can leave this box empty and still apply.</p></div>
</fieldset>
<button type="submit">Continue</button></form>`,
  );
}

/**
 * Step 2: the consent summary (and its hand-back), then the persona ("bank") and the login. The account is opened in
 * the initiate call's customer name; a box asks for someone else's account instead (a deliberate name mismatch).
 */
function bankStep(res: Response, session: LinkSession, choice: SandboxConsentChoice, holderName: string | null): void {
  const options = personaList()
    .map(
      (p, i) =>
        `<label class="persona"><input type="radio" name="persona" value="${esc(p.name)}"${i === 0 ? ' checked' : ''}> <strong>${esc(p.name)}</strong> — ${esc(p.description)}</label>`,
    )
    .join('\n');
  const monitoring = choice.purposes.includes('monitoring');
  page(
    res,
    200,
    'Link your bank account',
    `<p class="step">Step 2 of 2: your bank</p>
${agreed(choice)}
<p><a href="${esc(session.id)}">Change your choices</a></p>
<form method="post">
<input type="hidden" name="step" value="link">
<input type="hidden" name="notice_version" value="${esc(choice.noticeVersion)}">
<input type="hidden" name="consent_underwriting" value="1">
${monitoring ? '<input type="hidden" name="consent_monitoring" value="1">\n' : ''}${choice.purposes.includes('income_verification') ? '<input type="hidden" name="consent_income_verification" value="1">\n' : ''}<fieldset><legend>Sandbox bank: choose the profile whose bank history you want to share, then log in</legend>
${options}
</fieldset>
${holderBlock(holderName)}
<label class="persona"><input type="checkbox" name="partial" value="1"> This bank only returns partial data (balance, no transactions)</label>
<button type="submit">Log in</button></form>`,
    { message: { source: 'mono-sandbox', type: 'consent_given', data: choice }, targetOrigin: originOf(session.redirectUrl) },
  );
}

/** Whose name the account is in, and the box for someone else's account. */
function holderBlock(holderName: string | null): string {
  const whose = holderName
    ? `<p id="holder">The account is opened in the name of <strong>${esc(holderName)}</strong>, the customer this link was created for: the profile gives its history, not its name.</p>`
    : `<p id="holder">This link was created without a customer name: the account is held in the profile's invented name.</p>`;
  return `${whose}
<label class="persona"><input type="checkbox" name="name_mismatch" value="1"> Someone else's account: hold it in the profile's invented name instead (the lender will see a name mismatch, ACCOUNT_NAME_MISMATCH)</label>`;
}

/**
 * The end of either flow; for a new link, with the consent summary and its hand-back on `redirect_url`; for a reauth,
 * with the widget's new code (when one was issued) in the hand-back and as `code` on `redirect_url`.
 */
function done(res: Response, session: LinkSession, choice: SandboxConsentChoice | null, reauthCode: string | null = null): void {
  const reauth = session.scope === 'reauth';
  const word = reauth ? 'Re-authorised' : 'Linked';
  const redirect = session.redirectUrl ? (reauth ? withCode(session.redirectUrl, session.ref, reauthCode) : withChoice(session.redirectUrl, choice)) : null;
  const message: PageOptions['message'] = reauth
    ? ({ source: 'mono-sandbox', type: 'reauthorised', data: { ref: session.ref, code: reauthCode } } satisfies SandboxReauthMessage)
    : choice
      ? ({ source: 'mono-sandbox', type: 'linked', data: choice } satisfies SandboxConsentMessage)
      : undefined;
  page(
    res,
    200,
    word,
    `<p>${word} — you can close this window.</p>${choice ? `\n${agreed(choice)}` : ''}${redirect ? `<p><a id="continue" href="${esc(redirect)}">Continue</a></p>` : ''}`,
    {
      ...(redirect ? { redirectTo: redirect } : {}),
      ...(message ? { message, targetOrigin: originOf(session.redirectUrl) } : {}),
    },
  );
}

/** `redirect_url` with the reauth's new widget code (sandbox-only: Mono documents no parameters, §2.2). */
function withCode(redirectUrl: string, ref: string | null, code: string | null): string {
  const url = new URL(redirectUrl);
  if (ref !== null) url.searchParams.set('ref', ref);
  if (code !== null) url.searchParams.set('code', code);
  return url.toString();
}

function agreed(choice: SandboxConsentChoice): string {
  const monitoring = choice.purposes.includes('monitoring');
  return `<section aria-labelledby="agreed-title"><h2 id="agreed-title">You agreed to</h2>
<ul id="consent-summary">
<li>Underwriting: retrieving your balances, transactions and identity to decide this application.</li>
<li>${monitoring ? `Monitoring: continuous retrieval for ${SANDBOX_MONITORING_MONTHS} months to review your credit limit.` : 'No monitoring: your data is retrieved only when you apply, not continuously.'}</li>
<li>${choice.purposes.includes('income_verification') ? "Income verification: Mono's own estimate of your income, as a second opinion." : "No income verification: Mono's income product is not asked."}</li>
</ul>
<p class="help">Notice version <code>${esc(choice.noticeVersion)}</code>.</p></section>`;
}

/** `redirect_url` with the consent choices as query parameters (sandbox-only: Mono documents none, §2.2). */
function withChoice(redirectUrl: string, choice: SandboxConsentChoice | null): string {
  if (!choice) return redirectUrl;
  const url = new URL(redirectUrl);
  if (choice.ref !== null) url.searchParams.set('ref', choice.ref);
  url.searchParams.set('consent', choice.purposes.join(','));
  url.searchParams.set('notice_version', choice.noticeVersion);
  return url.toString();
}

function originOf(redirectUrl: string | null): string {
  if (!redirectUrl) return '*';
  try {
    return new URL(redirectUrl).origin;
  } catch {
    return '*';
  }
}

/** Posts the JSON block's message to the opener or embedding parent; constant, allowed by the page's CSP nonce. */
const POST_MESSAGE_SCRIPT =
  "(function(){var el=document.getElementById('sandbox-consent');if(!el)return;var m=JSON.parse(el.textContent||'{}');" +
  'var t=window.opener||(window.parent!==window?window.parent:null);if(t)try{t.postMessage(m.message,m.targetOrigin)}catch(e){}})();';

interface PageOptions {
  redirectTo?: string;
  /** Handed back to the lender's frontend: a JSON block (`#sandbox-consent`) and a postMessage. */
  message?: SandboxConsentMessage | SandboxReauthMessage;
  targetOrigin?: string;
}

function page(res: Response, status: number, title: string, body: string, opts: PageOptions = {}): void {
  const nonce = randomBytes(16).toString('base64');
  const handBack = opts.message
    ? `<script type="application/json" id="sandbox-consent">${jsonForScript({ message: opts.message, targetOrigin: opts.targetOrigin ?? '*' })}</script>
<script nonce="${nonce}">${POST_MESSAGE_SCRIPT}</script>\n`
    : '';
  res
    .status(status)
    .type('html')
    .set('content-security-policy', `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; form-action 'self'; base-uri 'none'`)
    .set('cache-control', 'no-store')
    .send(
      `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${opts.redirectTo ? `<meta http-equiv="refresh" content="2;url=${esc(opts.redirectTo)}">` : ''}
<title>${esc(title)} · Mono sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1f24;line-height:1.45}
h2{font-size:1.1rem;margin-top:1.5rem}
fieldset{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
legend{font-weight:600;padding:0 .25rem}
.persona{display:block;margin:.5rem 0;padding:.5rem;border:1px solid #d0d7de;border-radius:6px}
.choice{margin:.75rem 0}
.help{margin:.25rem 0 0 1.6rem;color:#57606a;font-size:.9rem}
.step{color:#57606a;font-size:.9rem;text-transform:uppercase;letter-spacing:.03em}
.error{border:2px solid #cf222e;background:#ffebe9;border-radius:6px;padding:.6rem .8rem}
a{color:#0550ae}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #0b5fff;outline-offset:2px}
button{margin-top:1rem;padding:.6rem 1.4rem;font-size:1rem;background:#0b5fff;color:#fff;border:0;border-radius:6px;cursor:pointer}</style>
</head><body><main><h1>${esc(title)}</h1>
${body}
<p><small>Mono sandbox — simulated bank data, no real credentials.</small></p></main>
${handBack}</body></html>`,
    );
}

/** JSON safe inside a `<script>` element: no `</script>` or `<!--` can be formed. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
