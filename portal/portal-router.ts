import { referralCodeOf } from '../loyalty/referrals.js';
import { formField } from './form-fields.js';
import cookieParser from 'cookie-parser';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { DataSource } from 'typeorm';
import { crossSiteGuard } from '../admin/cross-site-requests.js';
import type { ProcessStarter } from '../api/idempotent-write.js';
import { decodeHistoryCursor } from '../loyalty/history-cursor.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { memberDashboard } from '../loyalty/member-dashboard.js';
import { openMemberSession, signOut, signOutEverywhere } from '../loyalty/member-sessions.js';
import { completeSignIn, countSignInTry, requestSignInCode, signInAddress } from '../loyalty/member-sign-in.js';
import { memberStatement, type StatementLine } from '../loyalty/member-statement.js';
import { Refusal } from '../loyalty/refusal.js';
import type { CodeMessenger } from '../reports/member-codes-messages.js';
import { companyRouter } from './company-router.js';
import { dashboardPage, historyPage, statementCsv } from './dashboard-pages.js';
import { memberChallenges } from '../loyalty/engagement/member-challenges.js';
import { badgesToEarn, earnedBadges } from '../loyalty/engagement/member-badges.js';
import { memberLeaderboards, setLeaderboardNameConsent, showsNameOnLeaderboards } from '../loyalty/engagement/leaderboard-ranking.js';
import { giftsRouter } from './gifts-router.js';
import { clearMemberCookie, memberCookieOf, setMemberCookie } from './member-session-cookie.js';
import { answer, memberOf, signedIn } from './signed-in.js';
import { memberPage } from './page-layout.js';
import { notUnderstoodPage, refuseNullCharacters, unreadableFormStatus } from './unreadable-requests.js';
import { privacyRouter } from './privacy-router.js';
import { profileRouter } from './profile-router.js';
import { rewardsRouter } from './rewards-router.js';
import { codePage, linkPage, signInPage, slowDownPage } from './sign-in-pages.js';
import { storesRouter } from './stores-router.js';
import { receiptsRouter } from './receipts-router.js';
import type { ImageStore } from '../loyalty/receipts/image-store.js';

export interface PortalDependencies {
  dataSource: DataSource;
  /** The key sign-in codes are hashed with, and how they are sent. */
  codes: { secret: string; messenger: CodeMessenger };
  /** Where members reach the dashboard, for the sign-in link in the code's message. */
  publicUrl: string;
  /** Sign-in requests one address (IP) may make in 15 minutes. */
  signInRequestsPerWindow?: number;
  /** Where faults are reported; the member sees a plain page. */
  logFault?: (error: unknown, path: string) => void;
  /** Where members' points move when they redeem, give or link (a ledger over `dataSource` when not given). */
  ledger?: Ledger;
  /** Starts what a member's redemption queued (its fulfilment, its hold's time limit) once it committed. */
  processes?: ProcessStarter;
  /** Where the receipts members send are kept (receipts cannot be sent without it). */
  receiptImages?: ImageStore;
}

/** The member dashboard at /member: passwordless sign-in, the member's balance, tier, expiries and history, rewards, gifts and stores. */
/** A form of the dashboard sent from another site (or by a client that says nothing of where it comes from). */
const refuseFormsFromOtherSites = crossSiteGuard((res) =>
  res
    .status(403)
    .type('html')
    .send(
      memberPage(
        'Sent from another site',
        '<h1>Sent from another site</h1><p>This request did not come from your Tessera dashboard, so nothing was done. ' +
          'If you meant it, <a href="/member">open your dashboard</a> and do it there.</p>',
      ),
    ),
);

export function portalRouter({
  dataSource,
  codes,
  publicUrl,
  signInRequestsPerWindow = 20,
  logFault = (error) => console.error(error),
  ledger = new Ledger(dataSource),
  processes,
  receiptImages,
}: PortalDependencies): Router {
  const router = Router();
  router.use((_req, res, next) => {
    // No page of the dashboard is shown inside another site's: a click there cannot confirm a gift here.
    res.set({ 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Frame-Options': 'DENY' });
    next();
  });
  router.use(refuseFormsFromOtherSites, cookieParser(), express.urlencoded({ extended: false, limit: '10kb' }), refuseNullCharacters);

  const signInLimit = rateLimit({
    windowMs: 15 * 60_000,
    limit: signInRequestsPerWindow,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) =>
      res.status(429).type('html').send(slowDownPage('Too many sign-in attempts from your network. Wait a few minutes.')),
  });

  router.get('/sign-in', (_req, res) => {
    res.type('html').send(signInPage());
  });

  router.post(
    '/sign-in',
    signInLimit,
    answer(async (req, res) => {
      const typed = formField(req.body, 'address');
      const destination = signInAddress(typed);
      if (!destination) {
        res
          .status(400)
          .type('html')
          .send(signInPage({ address: typed, error: 'Enter an email address, or a mobile number starting with + and the country code' }));
        return;
      }
      try {
        await inTransaction(dataSource, async (manager) => {
          const issued = await requestSignInCode(manager, destination, codes.secret);
          const link = new URL('/member/sign-in/link', publicUrl);
          link.search = new URLSearchParams({ address: destination.address, code: issued.code }).toString();
          // Sent before the commit: a code nobody received is never left waiting.
          await codes.messenger.sendCode(
            { ...destination, memberId: issued.memberId },
            { code: issued.code, purpose: 'sign_in', expiresAt: issued.expiresAt, signInLink: link.toString() },
          );
        });
      } catch (error) {
        if (error instanceof Refusal && error.code === 'too_many_codes') {
          res
            .status(429)
            .type('html')
            .send(slowDownPage('Too many codes were sent to this address in the last hour. Wait a while, then ask again.'));
          return;
        }
        throw error;
      }
      res.redirect(303, `/member/sign-in/code?address=${encodeURIComponent(destination.address)}`);
    }),
  );

  router.get('/sign-in/code', (req, res) => {
    const destination = signInAddress(typeof req.query.address === 'string' ? req.query.address : '');
    if (!destination) return res.redirect(303, '/member/sign-in');
    res.type('html').send(codePage({ address: destination.address }));
  });

  router.get('/sign-in/link', (req, res) => {
    const destination = signInAddress(typeof req.query.address === 'string' ? req.query.address : '');
    const code = typeof req.query.code === 'string' && /^[0-9]{6}$/.test(req.query.code) ? req.query.code : null;
    if (!destination || !code) return res.redirect(303, '/member/sign-in');
    res.type('html').send(linkPage({ address: destination.address, code }));
  });

  router.post(
    '/sign-in/code',
    signInLimit,
    answer(async (req, res) => {
      const destination = signInAddress(formField(req.body, 'address'));
      if (!destination) return res.redirect(303, '/member/sign-in');
      const code = formField(req.body, 'code').trim();
      const wrong = () =>
        res
          .status(400)
          .type('html')
          .send(codePage({ address: destination.address, error: 'This code is wrong, used or expired. Check it, or ask for a new one.' }));
      if (!/^[0-9]{6}$/.test(code)) return wrong();
      // Counted on its own, before the check: a wrong code uses up a try even though nothing else is written.
      const codeId = await countSignInTry(dataSource.manager, destination.address);
      try {
        const session = await inTransaction(dataSource, async (manager) => {
          const { memberId } = await completeSignIn(manager, { address: destination.address, code, codeId }, codes.secret);
          return openMemberSession(manager, { memberId, partnerId: null });
        });
        setMemberCookie(req, res, session.token, session.expiresAt);
        res.redirect(303, '/member');
      } catch (error) {
        if (error instanceof Refusal && error.code === 'member_authorization_refused') return wrong();
        throw error;
      }
    }),
  );

  router.post(
    '/sign-out',
    answer(async (req, res) => {
      const token = memberCookieOf(req);
      if (token) await signOut(dataSource.manager, token);
      clearMemberCookie(res);
      res.redirect(303, '/member/sign-in');
    }),
  );

  // Everything below is the signed-in member's own.
  router.use(signedIn(dataSource));
  router.use(companyRouter({ dataSource }));

  router.post(
    '/sign-out-everywhere',
    answer(async (_req, res) => {
      await signOutEverywhere(dataSource.manager, memberOf(res));
      clearMemberCookie(res);
      res.redirect(303, '/member/sign-in');
    }),
  );

  router.get(
    '/',
    answer(async (_req, res) => {
      const manager = dataSource.manager;
      const [dashboard, recent, challenges, earned, toEarn, rankings, nameShown, referralCode] = await Promise.all([
        memberDashboard(manager, memberOf(res)),
        memberStatement(manager, memberOf(res), { limit: 5 }),
        memberChallenges(manager, memberOf(res), 'member'),
        earnedBadges(manager, memberOf(res), 'member'),
        badgesToEarn(manager, memberOf(res)),
        memberLeaderboards(manager, memberOf(res)),
        showsNameOnLeaderboards(manager, memberOf(res)),
        referralCodeOf(manager, memberOf(res)),
      ]);
      res.type('html').send(dashboardPage(dashboard, recent.lines, challenges, { earned, toEarn }, { rankings, nameShown }, referralCode));
    }),
  );

  router.post(
    '/leaderboard-name',
    answer(async (req, res) => {
      const shown = (req.body as Record<string, unknown> | undefined)?.shown === 'on';
      await setLeaderboardNameConsent(dataSource.manager, memberOf(res), shown);
      res.redirect(303, '/member#leaderboards');
    }),
  );

  router.get(
    '/history',
    answer(async (req, res) => {
      const cursor = typeof req.query.cursor === 'string' ? decodeHistoryCursor(req.query.cursor) : undefined;
      if (cursor === null) return res.redirect(303, '/member/history');
      const page = await memberStatement(dataSource.manager, memberOf(res), { before: cursor, limit: 25 });
      res.type('html').send(historyPage(page.lines, page.nextCursor));
    }),
  );

  router.get(
    '/history.csv',
    answer(async (_req, res) => {
      const lines: StatementLine[] = [];
      let before: bigint | undefined;
      for (;;) {
        const page = await memberStatement(dataSource.manager, memberOf(res), { before, limit: 500 });
        lines.push(...page.lines);
        if (!page.nextCursor) break;
        before = decodeHistoryCursor(page.nextCursor) ?? undefined;
      }
      res.type('text/csv').attachment('tessera-history.csv').send(statementCsv(lines));
    }),
  );

  // The member's spending: rewards and their redemptions, gifts to other members, the stores that know them.
  router.use(rewardsRouter({ dataSource, ledger, processes, logFault }));
  router.use(giftsRouter({ dataSource, ledger }));
  router.use(storesRouter({ dataSource, ledger }));
  router.use(privacyRouter({ dataSource, ledger }));
  router.use(profileRouter({ dataSource }));
  if (receiptImages) router.use(receiptsRouter({ dataSource, images: receiptImages, processes, logFault }));

  router.use((_req, res) => {
    res.status(404).type('html').send(memberPage('Not found', '<h1>This page does not exist</h1><p><a href="/member">Your points</a></p>'));
  });
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const unreadable = unreadableFormStatus(error);
    if (unreadable) return res.status(unreadable).type('html').send(notUnderstoodPage());
    logFault(error, req.path);
    res
      .status(500)
      .type('html')
      .send(memberPage('Something went wrong', '<h1>Something went wrong</h1><p>Nothing was changed. Please try again in a moment.</p>'));
  });
  return router;
}
