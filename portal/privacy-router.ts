import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { exportMemberData } from '../loyalty/member-data-export.js';
import { eraseMember, ErasureRefusedError } from '../loyalty/member-erasure.js';
import { memberHistoryCsv } from '../reports/member-data-csv.js';
import { clearMemberCookie } from './member-session-cookie.js';
import { escapeHtml, memberPage } from './page-layout.js';
import { answer, memberOf } from './signed-in.js';

/** The member's own data: download all of it, or have it erased (the ledger stays whole). */
export function privacyRouter({ dataSource, ledger }: { dataSource: DataSource; ledger: Ledger }): Router {
  const router = Router();

  router.get('/privacy', (_req, res) => {
    res.type('html').send(privacyPage());
  });

  router.get(
    '/privacy/my-data.json',
    answer(async (_req, res) => {
      const data = await exportMemberData(dataSource.manager, memberOf(res));
      res
        .attachment('tessera-my-data.json')
        .type('json')
        .send(JSON.stringify(data, null, 2));
    }),
  );

  router.get(
    '/privacy/my-history.csv',
    answer(async (_req, res) => {
      const data = await exportMemberData(dataSource.manager, memberOf(res));
      res.attachment('tessera-my-history.csv').type('text/csv').send(memberHistoryCsv(data.history));
    }),
  );

  router.post(
    '/privacy/erase',
    answer(async (req, res) => {
      const confirmed = (req.body as Record<string, unknown> | undefined)?.confirm === 'yes';
      if (!confirmed) {
        res.status(400).type('html').send(privacyPage('Tick the box to confirm that you want your account deleted.'));
        return;
      }
      try {
        await inTransaction(dataSource, (manager) =>
          eraseMember(manager, ledger, { memberId: memberOf(res), requestedBy: 'member', reason: 'asked from their dashboard' }),
        );
      } catch (error) {
        if (error instanceof ErasureRefusedError) {
          res.status(409).type('html').send(privacyPage(error.reason));
          return;
        }
        throw error;
      }
      clearMemberCookie(res);
      res
        .type('html')
        .send(
          memberPage(
            'Account deleted',
            '<h1>Your account is deleted</h1><p>Your personal data is erased and your points are forfeited. Thank you for having been a member.</p>',
          ),
        );
    }),
  );
  return router;
}

function privacyPage(error?: string): string {
  return memberPage(
    'Your data',
    `<h1>Your data</h1>
<h2>Download it</h2>
<p>Everything Tessera holds about you: <a href="/member/privacy/my-data.json" download>all of it (JSON)</a>, or
<a href="/member/privacy/my-history.csv" download>your history (CSV)</a>.</p>
<h2>Delete your account</h2>
<p>Your name, email, phone and every other personal detail are erased everywhere, and the stores no longer know you.
Your remaining points are forfeited. This cannot be undone.</p>
<form method="post" action="/member/privacy/erase" novalidate>
<label><input type="checkbox" name="confirm" value="yes"${error ? ' aria-describedby="confirm-error" aria-invalid="true"' : ''}> I want my account and my personal data deleted</label>
${error ? `<p class="error" id="confirm-error">${escapeHtml(error)}</p>` : ''}
<button type="submit">Delete my account</button>
</form>`,
    { signedIn: true },
  );
}
