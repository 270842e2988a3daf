/**
 * The hosted link page at `mono_url` (API reference §2.2, §2.3): server-rendered HTML. Scope `auth`: pick a profile
 * and "Log in" → the account is created from that persona and linked (`account_connected`, then `account_updated`).
 * Scope `reauth`: "Re-authorise" → `account_reauthorized`, then `account_updated` with fresh data.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { SandboxError } from './envelope.js';
import { personaList } from './persona-catalog.js';
import type { SandboxContext } from './sandbox-context.js';

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
    const options = personaList()
      .map(
        (p, i) =>
          `<label class="persona"><input type="radio" name="persona" value="${esc(p.name)}"${i === 0 ? ' checked' : ''}> <strong>${esc(p.name)}</strong> — ${esc(p.description)}</label>`,
      )
      .join('\n');
    page(
      res,
      200,
      'Link your bank account',
      `<p>Sandbox bank: choose the profile whose bank history you want to share, then log in.</p>
<form method="post">${options}
<label class="persona"><input type="checkbox" name="partial" value="1"> This bank only returns partial data (balance, no transactions)</label>
<button type="submit">Log in</button></form>`,
    );
  });

  r.post('/:id', (req, res) => {
    const session = bank.linkSession(id(req));
    if (session.scope === 'reauth') {
      if (!session.accountId) throw new SandboxError(400, 'This link has no account');
      bank.completeReauth(session.accountId, session.id);
    } else {
      const form = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
      bank.completeAuthLink(session.id, typeof form.persona === 'string' ? form.persona : '', { partial: form.partial === '1' });
    }
    const redirect = session.redirectUrl;
    page(
      res,
      200,
      session.scope === 'reauth' ? 'Re-authorised' : 'Linked',
      `<p>${session.scope === 'reauth' ? 'Re-authorised' : 'Linked'} — you can close this window.</p>${
        redirect ? `<p><a id="continue" href="${esc(redirect)}">Continue</a></p>` : ''
      }`,
      redirect ?? undefined,
    );
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

function page(res: Response, status: number, title: string, body: string, redirectTo?: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${redirectTo ? `<meta http-equiv="refresh" content="2;url=${esc(redirectTo)}">` : ''}
<title>${esc(title)} · Mono sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
.persona{display:block;margin:.5rem 0;padding:.5rem;border:1px solid #d0d7de;border-radius:6px}
button{margin-top:1rem;padding:.6rem 1.4rem;font-size:1rem;background:#0b5fff;color:#fff;border:0;border-radius:6px;cursor:pointer}</style>
</head><body><h1>${esc(title)}</h1>
${body}
<p><small>Mono sandbox — simulated bank data, no real credentials.</small></p></body></html>`,
    );
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
