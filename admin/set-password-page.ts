import express, { Router, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { minimumPasswordLength } from '../loyalty/staff-accounts.js';
import { acceptInvitation, invitationByToken } from '../loyalty/staff-invitations.js';
import { hashPassword } from './passwords.js';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(res: Response, status: number, title: string, body: string) {
  // The token is in the address: no page this one links to may learn it.
  res.status(status).set({ 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' }).type('html')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(title)} · Tessera</title>
<style>
body{font-family:system-ui,sans-serif;background:#f6f7fb;color:#1c1c38;margin:0}
main{max-width:440px;margin:4rem auto;background:#fff;padding:2rem 2.5rem;border-radius:6px;box-shadow:0 1px 6px #0002}
h1{font-size:1.4rem;margin-top:0}label{display:block;font-weight:600;margin:1.2rem 0 .4rem}
input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #c0c0ca;border-radius:4px;font-size:1rem}
input[aria-invalid=true]{border-color:#c20012}.error{color:#c20012;margin:.4rem 0 0}.help{color:#555;font-size:.9rem;margin:.4rem 0 0}
button,.button{margin-top:1.5rem;background:#3040d6;color:#fff;border:0;border-radius:4px;padding:.7rem 1.4rem;font-size:1rem;text-decoration:none;display:inline-block;cursor:pointer}
</style></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}

const signInLink = '<a class="button" href="/admin/login">Go to sign-in</a>';

function form(res: Response, token: string, account: { email: string; name: string }, problem?: string) {
  const error = problem ? `<p class="error" id="password-error" role="alert">${escape(problem)}</p>` : '';
  page(
    res,
    problem ? 422 : 200,
    'Set your password',
    `<p>For <strong>${escape(account.name)}</strong> (${escape(account.email)}), who signs in with this email.</p>
<form method="post" action="/admin/set-password">
<input type="hidden" name="token" value="${escape(token)}">
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required${problem ? ' aria-invalid="true" aria-describedby="password-error"' : ''}>
${error}<p class="help">${minimumPasswordLength} characters or more, not one character repeated, without your email or name.</p>
<button type="submit">Set password</button>
</form>`,
  );
}

/**
 * The page an invitation's link opens: it sets the account's first password once, by the policy
 * of every staff password, and says plainly when the link was used or has expired.
 */
export function setPasswordPage(dataSource: DataSource): Router {
  const router = Router();
  router.get('/set-password', async (req, res, next) => {
    try {
      const token = typeof req.query.token === 'string' ? req.query.token : '';
      const state = await invitationByToken(dataSource.manager, token);
      if (!state.usable)
        return page(
          res,
          state.reason === 'unknown' ? 404 : 410,
          'This link cannot set a password',
          `<p>${escape(state.message)}</p>${signInLink}`,
        );
      form(res, token, state.user);
    } catch (error) {
      next(error);
    }
  });
  router.post('/set-password', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res, next) => {
    try {
      const token = typeof req.body?.token === 'string' ? req.body.token : '';
      const password = typeof req.body?.password === 'string' ? req.body.password : '';
      const result = await inTransaction(dataSource, (manager) => acceptInvitation(manager, token, password, hashPassword));
      if (result.ok) {
        return page(
          res,
          200,
          'Your password is set',
          `<p>Sign in with ${escape(result.email)} and the password you just chose.</p>${signInLink}`,
        );
      }
      if (result.field === 'link')
        return page(res, 410, 'This link cannot set a password', `<p>${escape(result.message)}</p>${signInLink}`);
      const state = await invitationByToken(dataSource.manager, token);
      if (!state.usable) return page(res, 410, 'This link cannot set a password', `<p>${escape(state.message)}</p>${signInLink}`);
      form(res, token, state.user, result.message);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
