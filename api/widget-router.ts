import { fileURLToPath } from 'node:url';
import express, { Router, type Request } from 'express';
import { Partner } from '../entities/index.js';
import { recentInstantWin } from '../loyalty/engagement/member-instant-wins.js';
import { rateLimit } from 'express-rate-limit';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { estimateEarning } from '../loyalty/earning/estimate-earning.js';
import { memberChallenges } from '../loyalty/engagement/member-challenges.js';
import { walletStatus } from '../loyalty/funding.js';
import { balanceOf } from '../loyalty/ledger/accounts.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { linkStoreCustomer, memberWithAccount, MemberNotFoundError, resolveCustomer } from '../loyalty/member-identity.js';
import { memberSession, openMemberSession } from '../loyalty/member-sessions.js';
import { completeSignIn, countSignInTry, requestSignInCode, signInAddress } from '../loyalty/member-sign-in.js';
import { Refusal } from '../loyalty/refusal.js';
import { maskedAddress } from '../loyalty/spending-authorization.js';
import type { CodeMessenger } from '../reports/member-codes-messages.js';
import { verifyWidgetToken } from '../loyalty/widget-tokens.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { apiCodes, fieldProblem, invalidRequest, ProblemError, refusalProblem, sendProblem } from './problem.js';
import { widgetMemberSession, widgetSignIn, widgetState } from './responses.js';
import { widgetSignInBody, widgetSignInCodeBody, widgetStateQuery } from './schemas.js';
import { widgetPaymentQuote } from './widget-payment-quote.js';

const widgetScript = fileURLToPath(new URL('./widget/earn-widget.js', import.meta.url));

export interface WidgetDependencies {
  dataSource: DataSource;
  ledger: Ledger;
  /** Sign-in codes (as the partner API's): without them, the widget offers no sign-in. */
  memberCodes?: { secret: string; messenger: CodeMessenger };
  /** Sign-in requests one address (IP) may make in 15 minutes. */
  signInRequestsPerWindow?: number;
}

/**
 * The earn widget: its script, the state it shows, and the member's sign-in inside it (public,
 * CORS-open, bound to a store's widget token). A member who signs in gets a session of that store
 * only, which the store's checkout may send as `Member-Authorization` to spend their points.
 */
export function widgetRouter({ dataSource, ledger, memberCodes, signInRequestsPerWindow = 20 }: WidgetDependencies): Router {
  const router = Router();
  router.use((req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS' && req.path.startsWith('/widget/v1/')) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', 'content-type, member-authorization');
      res.setHeader('Access-Control-Max-Age', '600');
      return res.status(204).end();
    }
    next();
  });
  const signInLimit = rateLimit({
    windowMs: 15 * 60_000,
    limit: signInRequestsPerWindow,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) =>
      sendProblem(res, {
        status: 429,
        title: apiCodes.rate_limited,
        code: 'rate_limited',
        detail: 'Too many sign-in attempts from this network',
      }),
  });
  const storeOf = async (token: string, field: string) => {
    const claims = await verifyWidgetToken(dataSource.manager, token);
    if (!claims) throw fieldProblem(401, apiCodes.unauthorized, 'unauthorized', [{ field, message: 'unknown or expired widget token' }]);
    return claims;
  };
  const codesOrRefuse = () => {
    if (!memberCodes) {
      throw fieldProblem(503, apiCodes.codes_unavailable, 'codes_unavailable', [
        { field: 'body.address', message: 'this installation sends no codes' },
      ]);
    }
    return memberCodes;
  };

  router.post('/widget/v1/sign-in', signInLimit, express.json({ limit: '10kb' }), async (req, res) => {
    const body = widgetSignInBody.safeParse(req.body);
    if (!body.success) throw invalidRequest('body', body.error);
    const claims = await storeOf(body.data.token, 'body.token');
    const destination = signInAddress(body.data.address);
    if (!destination) {
      throw fieldProblem(400, apiCodes.invalid_request, 'invalid_request', [
        { field: 'body.address', message: 'must be an email address, or a mobile number starting with + and the country code' },
      ]);
    }
    const codes = codesOrRefuse();
    await inTransaction(dataSource, async (manager) => {
      // Bound to this store: typed anywhere else (the dashboard), it opens nothing.
      const issued = await requestSignInCode(manager, destination, codes.secret, claims.partnerId);
      const store = await manager.findOneByOrFail(Partner, { id: claims.partnerId });
      await codes.messenger.sendCode(
        { ...destination, memberId: issued.memberId },
        { code: issued.code, purpose: 'sign_in', expiresAt: issued.expiresAt, storeName: store.name },
      );
    }).catch((error: unknown) => {
      throw error instanceof Refusal ? new ProblemError(refusalProblem(req, error)) : error;
    });
    const answered: z.output<typeof widgetSignIn> = { sentTo: maskedAddress(destination.address) };
    res.status(202).json(answered);
  });

  router.post('/widget/v1/sign-in/code', signInLimit, express.json({ limit: '10kb' }), async (req, res) => {
    const body = widgetSignInCodeBody.safeParse(req.body);
    if (!body.success) throw invalidRequest('body', body.error);
    const claims = await storeOf(body.data.token, 'body.token');
    const destination = signInAddress(body.data.address);
    const codes = codesOrRefuse();
    // Counted on its own, before the check (see countCodeTry).
    const codeId = destination ? await countSignInTry(dataSource.manager, destination.address, claims.partnerId) : null;
    const signedIn = await inTransaction(dataSource, async (manager) => {
      const { memberId } = await completeSignIn(
        manager,
        { address: destination?.address ?? '', code: body.data.code, codeId },
        codes.secret,
      );
      const linked = await linkStoreCustomer(manager, ledger, { partnerId: claims.partnerId, customerId: claims.externalId, memberId });
      return { ...(await openMemberSession(manager, { memberId, partnerId: claims.partnerId })), linked };
    }).catch((error: unknown) => {
      throw error instanceof Refusal ? new ProblemError(refusalProblem(req, error)) : error;
    });
    const answered: z.output<typeof widgetMemberSession> = {
      session: signedIn.token,
      expiresAt: signedIn.expiresAt.toISOString(),
      linked: signedIn.linked,
    };
    res.status(201).json(answered);
  });
  router.get('/widget.js', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('js').sendFile(widgetScript);
  });
  router.get('/widget/v1/state', async (req, res) => {
    const parsed = widgetStateQuery.safeParse(req.query);
    if (!parsed.success) throw invalidRequest('query', parsed.error);
    const claims = await verifyWidgetToken(dataSource.manager, parsed.data.token);
    if (!claims) {
      const problem = fieldProblem(401, apiCodes.unauthorized, 'unauthorized', [
        { field: 'query.token', message: 'unknown or expired widget token' },
      ]);
      return sendProblem(res, problem.problem);
    }
    const wallet = await walletStatus(dataSource.manager, claims.partnerId);
    if (!wallet.enabled) return res.json({ enabled: false } satisfies z.output<typeof widgetState>);
    // The member signed in in this store's widget, else the store's customer; a customer the store
    // has not sent an event for yet is no member yet: nothing earned so far.
    const session = await storeSessionOf(req, claims.partnerId);
    const known = session
      ? await memberWithAccount(dataSource.manager, session.memberId)
      : await resolveCustomer(dataSource.manager, { partnerId: claims.partnerId, customerId: claims.externalId }).catch((error) => {
          if (error instanceof MemberNotFoundError) return null;
          throw error;
        });
    const { available: balance, incoming: pending } = known
      ? await balanceOf(dataSource.manager, known.account.id)
      : { available: 0, incoming: 0 };
    const estimate =
      parsed.data.amountCents === undefined
        ? null
        : await estimateEarning(dataSource.manager, known?.member.id ?? null, {
            type: 'purchase',
            partnerId: claims.partnerId,
            amountCents: parsed.data.amountCents,
            occurredAt: new Date(),
          });
    // Challenges are the signed-in member's own business: a store's customer id alone does not show them.
    const challenges = session ? await memberChallenges(dataSource.manager, session.memberId, { partnerId: claims.partnerId }) : [];
    const won = known ? await recentInstantWin(dataSource.manager, known.member.id, claims.partnerId) : null;
    const state: z.output<typeof widgetState> = {
      enabled: true,
      balance,
      pending,
      signedIn: session !== null,
      estimate: estimate && { points: estimate.points, explanation: estimate.explanation },
      challenges: challenges.map((c) => ({
        id: c.id,
        name: c.name,
        metric: c.metric,
        category: c.category,
        target: c.target,
        period: c.period,
        periodEndsAt: c.periodEndsAt?.toISOString() ?? null,
        progress: c.progress,
        completed: c.completed,
        rewardPoints: c.rewardPoints,
        currency: c.currency,
      })),
      instantWin: won && { campaign: won.campaign, points: won.points, wonAt: won.wonAt.toISOString() },
    };
    res.json(state);
  });
  router.post('/widget/v1/payment-quote', express.json({ limit: '100kb' }), async (req, res) => {
    res.json(await widgetPaymentQuote(dataSource, req, (token) => storeOf(token, 'body.token'), storeSessionOf));
  });
  /** A live session this store's widget opened, from `Member-Authorization: Bearer`; null otherwise. */
  async function storeSessionOf(req: Request, partnerId: string) {
    const header = req.header('member-authorization');
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
    const session = token ? await memberSession(dataSource.manager, token) : null;
    return session && session.partnerId === partnerId ? session : null;
  }

  refuseOtherMethods(router);
  return router;
}
