import { createHash, randomBytes } from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { Partner, Receipt, Reward } from '../entities/index.js';
import type { ImageStore } from '../loyalty/receipts/image-store.js';
import { maxReceiptImageBytes, ReceiptRefusedError, submitReceipt } from '../loyalty/receipts/receipt-upload.js';
import { viewEvent } from '../loyalty/earning/event-view.js';
import { recordLeanEvent } from '../loyalty/earning/lean-event.js';
import { recordEvent, type EventInput, type RecordedEvent } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { walletStatus } from '../loyalty/funding.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { memberHistory } from '../loyalty/member-history.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { memberChallenge, memberChallenges, type MemberChallenge } from '../loyalty/engagement/member-challenges.js';
import { earnedBadges } from '../loyalty/engagement/member-badges.js';
import { emblemSvg } from '../loyalty/engagement/emblems.js';
import { leaderboardRanking, visibleLeaderboard } from '../loyalty/engagement/leaderboard-ranking.js';
import { instantWinDraws, viewInstantWin } from '../loyalty/engagement/instant-win-form.js';
import { creditBalancesOf } from '../loyalty/store-credit/credit-balances.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import {
  authorizeSpending,
  countSpendingTry,
  issueSpendingCode,
  maskedAddress,
  MemberAuthorizationRequiredError,
  type MemberAuthorization,
} from '../loyalty/spending-authorization.js';
import type { CodeMessenger } from '../reports/member-codes-messages.js';
import { transferBetweenMembers } from '../loyalty/member-transfers.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { Refusal } from '../loyalty/refusal.js';
import { mintWidgetToken } from '../loyalty/widget-tokens.js';
import { answerCommitted, idempotencyOf, idempotentWrite, type ProcessStarter } from './idempotent-write.js';
import { partnerAuth, type PartnerLocals } from './partner-auth.js';
import { paymentRoutes } from './payment-routes.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { requireJson } from './require-json.js';
import { apiCodes, fieldProblem, invalidRequest, noSuchEndpoint, ProblemError, refusalProblem, sendProblem } from './problem.js';
import * as responses from './responses.js';
import { encodeHistoryCursor } from '../loyalty/history-cursor.js';
import {
  eventBody,
  eventIdParam,
  externalIdParam,
  memberAuthorizationHeader,
  memberTransferBody,
  redemptionBody,
  refundBody,
  spendingCodeBody,
  leaderboardQuery,
  transactionsQuery,
  instantWinQuery,
  widgetSessionBody,
} from './schemas.js';

export interface ApiDependencies {
  dataSource: DataSource;
  ledger: Ledger;
  /** Starts the processes a write queued (fulfilments, hold timeouts, webhooks), once it committed. */
  processes?: ProcessStarter;
  /** Requests a key may make per minute. */
  rateLimitPerMinute?: number;
  /** Where faults that happen after the response was sent are reported. */
  logFault?: (error: unknown, path: string) => void;
  /**
   * Members' one-time codes: the key their hashes are made with (the same in every web process)
   * and how they are sent. Without them, codes cannot be asked for, and only member sessions
   * authorize spending.
   */
  memberCodes?: { secret: string; messenger: CodeMessenger };
  /** Where the receipts partners' apps send are kept (without it, receipts cannot be sent). */
  receiptImages?: ImageStore;
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'path'): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest(where, result.error);
  return result.data;
}

const partnerOf = (res: Response) => (res.locals as PartnerLocals).partner;
const memberPath = z.object({ externalId: externalIdParam });
const eventPath = z.object({ eventId: eventIdParam });
const challengePath = z.object({ challengeId: z.uuid() });
const leaderboardPath = z.object({ leaderboardId: z.uuid() });
const instantWinPath = z.object({ campaignId: z.uuid() });
const receiptPath = z.object({ receiptId: z.uuid() });

/**
 * A route's handler. Its refusals become problems here, while the route's path parameters are
 * known, so that a field is named where the client sent it (`path.externalId`, `body.to`).
 */
const answer =
  (handler: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  async (req, res, next) => {
    try {
      await handler(req, res);
    } catch (error) {
      next(error instanceof Refusal ? new ProblemError(refusalProblem(req, error)) : error);
    }
  };

/** The partner API, version 1: authenticated by API key, idempotent writes, problem+json errors. */
export function apiV1Router({
  dataSource,
  ledger,
  processes,
  rateLimitPerMinute = 1_200,
  logFault = (error) => console.error(error),
  memberCodes,
  receiptImages,
}: ApiDependencies): Router {
  // A key of this process alone when none is given: no code is issued then, so none needs checking elsewhere.
  const codeSecret = memberCodes?.secret ?? randomBytes(32).toString('hex');
  const committed = { dataSource, processes, logFault };
  const router = Router();
  const read = (path: string, handler: (req: Request, res: Response) => Promise<void>) => router.get(path, answer(handler));
  const write = (path: string, handler: (req: Request, res: Response) => Promise<void>) => router.post(path, requireJson, answer(handler));

  router.get('/', (_req, res) => {
    res.json({ name: 'Tessera partner API', version: 'v1', docs: '/api/docs', openapi: '/api/openapi.json' });
  });
  router.use(partnerAuth(dataSource));
  router.use(
    rateLimit({
      windowMs: 60_000,
      limit: rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (_req, res) => (res.locals as PartnerLocals).apiKeyId,
      handler: (_req, res) =>
        sendProblem(res, {
          status: 429,
          title: apiCodes.rate_limited,
          code: 'rate_limited',
          detail: `At most ${rateLimitPerMinute} requests a minute per API key`,
        }),
    }),
  );

  write('/events', async (req, res) => {
    const body = parse(eventBody, req.body, 'body');
    const partner = partnerOf(res);
    const receivedAt = new Date();
    const input: EventInput = {
      partnerId: partner.id,
      member: body.member,
      type: body.type,
      amountCents: body.amountCents,
      currency: body.currency,
      lines: body.lines,
      channel: body.channel,
      pointOfSaleCode: body.pointOfSale,
      occurredAt: body.occurredAt ? new Date(body.occurredAt) : receivedAt,
      receivedAt,
    };
    const answered = (recorded: RecordedEvent): z.output<typeof responses.recordedEvent> => ({
      id: recorded.event.id,
      member: { externalId: body.member.externalId, enrolledNow: recorded.enrolledNow },
      points: recorded.points,
      bonusPoints: recorded.bonusPoints,
      totalPoints: recorded.points + recorded.bonusPoints,
      explanation: recorded.explanation,
      tier: recorded.tier,
      upgradedTo: recorded.upgradedTo,
      expiresAt: recorded.expiresAt?.toISOString() ?? null,
      recoveredPoints: recorded.recoveredPoints,
      pending: recorded.availableFrom ? { points: recorded.pendingPoints, availableFrom: recorded.availableFrom.toISOString() } : null,
      cashback: recorded.cashback && {
        creditProgramId: recorded.cashback.creditProgramId,
        currency: recorded.cashback.currency,
        amountMinor: recorded.cashback.amountMinor,
        reason: recorded.cashback.reason,
        availableFrom: recorded.cashback.availableFrom?.toISOString() ?? null,
      },
      instantWins: recorded.instantWins.map((w) => ({
        campaignId: w.campaignId,
        name: w.name,
        drawNumber: w.drawNumber,
        won: w.won,
        outcome: w.outcome,
        prize: w.won ? { points: w.prizePoints } : null,
      })),
    });
    // The common event in one write statement; anything else (and a replay) by the full path.
    const { key, hash } = idempotencyOf(req, body);
    const lean = await recordLeanEvent(dataSource, input, { idempotencyKey: key, requestHash: hash, status: 201 }, answered);
    if (lean) return answerCommitted(committed, req, res, { status: 201, body: lean.body }, lean.queued);
    await idempotentWrite(committed, req, res, body, async (manager) => ({
      status: 201,
      body: answered(await recordEvent(manager, ledger, input)),
    }));
  });

  read('/events/:eventId', async (req, res) => {
    const { eventId } = parse(eventPath, req.params, 'path');
    const event = await viewEvent(dataSource.manager, partnerOf(res).id, eventId);
    const answered: z.output<typeof responses.eventView> = {
      id: event.id,
      type: event.type,
      member: { externalId: event.externalId },
      occurredAt: event.occurredAt.toISOString(),
      recordedAt: event.recordedAt.toISOString(),
      amountCents: event.amountCents,
      currency: event.currency,
      lines: event.lines,
      channel: event.channel,
      pointOfSale: event.pointOfSale,
      points: event.points,
      bonusPoints: event.bonusPoints,
      totalPoints: event.points + event.bonusPoints,
      explanation: event.explanation,
      refundedCents: event.refundedCents,
      remainingCents: event.amountCents === null ? null : event.amountCents - event.refundedCents,
      pointsReversed: event.pointsReversed,
      refunds: event.refunds.map((r) => ({ ...r, at: r.at.toISOString() })),
      pending: event.pending && { points: event.pending.points, availableFrom: event.pending.availableFrom.toISOString() },
    };
    res.json(answered);
  });

  write('/events/:eventId/refunds', async (req, res) => {
    const { eventId } = parse(eventPath, req.params, 'path');
    const body = parse(refundBody, req.body, 'body');
    await idempotentWrite(committed, req, res, { eventId, body }, async (manager, requestId) => {
      const refunded: z.output<typeof responses.refund> = await refundEvent(manager, ledger, {
        partnerId: partnerOf(res).id,
        eventId,
        lines: body.lines,
        key: requestId,
      });
      return { status: 201, body: refunded };
    });
  });

  /** The member a store means by its id in the path: only its own customers. */
  const customerInPath = (req: Request, res: Response) => {
    const { externalId } = parse(memberPath, req.params, 'path');
    return { externalId, customer: { partnerId: partnerOf(res).id, customerId: externalId } };
  };

  /**
   * The member's say on a debit, from `Member-Authorization`; its code's try is counted before the
   * write, on its own, so a wrong code uses one up even though the write is rolled back.
   */
  const memberConsent = async (req: Request, res: Response, memberId: string) => {
    const header = req.header('member-authorization');
    if (header === undefined) throw new ProblemError(refusalProblem(req, new MemberAuthorizationRequiredError('Member-Authorization')));
    const parsed = memberAuthorizationHeader.safeParse(header);
    if (!parsed.success) {
      throw fieldProblem(400, apiCodes.invalid_request, 'invalid_request', [
        { field: 'header.Member-Authorization', message: parsed.error.issues[0]!.message },
      ]);
    }
    const authorization: MemberAuthorization = parsed.data;
    const tried = await countSpendingTry(dataSource.manager, { memberId, partnerId: partnerOf(res).id, authorization });
    return (manager: EntityManager) =>
      authorizeSpending(
        manager,
        { memberId, partnerId: partnerOf(res).id, authorization, tried, field: 'Member-Authorization' },
        codeSecret,
      );
  };

  read('/members/:externalId', async (req, res) => {
    const { externalId, customer } = customerInPath(req, res);
    const { member } = await resolveCustomer(dataSource.manager, customer);
    const found = await memberSummary(dataSource.manager, member.id);
    const summary: z.output<typeof responses.memberSummary> = {
      externalId,
      ...found,
      pending: found.pending.map((p) => ({ points: p.points, availableFrom: p.availableFrom.toISOString() })),
      credit: await creditBalancesOf(dataSource.manager, member.id, partnerOf(res).id),
    };
    res.json(summary);
  });

  const challengeAnswer = (c: MemberChallenge): z.output<typeof responses.memberChallenge> => ({
    ...c,
    periodEndsAt: c.periodEndsAt?.toISOString() ?? null,
    completedAt: c.completedAt?.toISOString() ?? null,
  });

  read('/instant-wins/:campaignId', async (req, res) => {
    const { campaignId } = parse(instantWinPath, req.params, 'path');
    const query = parse(instantWinQuery, req.query, 'query');
    const view = await viewInstantWin(dataSource.manager, campaignId, { kind: 'partner', partnerId: partnerOf(res).id });
    const c = view.campaign;
    const page =
      view.revealedSeed === null ? null : await instantWinDraws(dataSource.manager, c.id, { after: query.cursor ?? 0, limit: query.limit });
    const answered: z.output<typeof responses.instantWinCampaign> = {
      id: c.id,
      name: c.name,
      owner: c.partnerId === null ? 'program' : 'partner',
      mode: c.mode,
      startsAt: c.startsAt.toISOString(),
      endsAt: c.endsAt.toISOString(),
      status: view.status,
      prizePoints: c.prizePoints,
      prizesWon: c.prizesWon,
      prizesLeft: view.prizesLeft,
      pointsLeft: view.pointsLeft,
      drawCount: c.drawCount,
      seedCommitment: c.seedCommitment,
      seed: view.revealedSeed,
      draws: page && page.draws.map((d) => ({ ...d, drawnAt: d.drawnAt.toISOString() })),
      nextCursor: page?.lastDrawNumber ? encodeHistoryCursor(page.lastDrawNumber) : null,
    };
    res.json(answered);
  });

  read('/members/:externalId/challenges', async (req, res) => {
    const { externalId, customer } = customerInPath(req, res);
    const { member } = await resolveCustomer(dataSource.manager, customer);
    const found = await memberChallenges(dataSource.manager, member.id, { partnerId: partnerOf(res).id });
    const answered: z.output<typeof responses.memberChallenges> = { externalId, challenges: found.map(challengeAnswer) };
    res.json(answered);
  });

  read('/members/:externalId/challenges/:challengeId', async (req, res) => {
    const { customer } = customerInPath(req, res);
    const { challengeId } = parse(challengePath, { challengeId: req.params.challengeId }, 'path');
    const { member } = await resolveCustomer(dataSource.manager, customer);
    const found = await memberChallenge(dataSource.manager, member.id, challengeId, { partnerId: partnerOf(res).id });
    res.json(challengeAnswer(found));
  });

  read('/members/:externalId/badges', async (req, res) => {
    const { externalId, customer } = customerInPath(req, res);
    const { member } = await resolveCustomer(dataSource.manager, customer);
    const found = await earnedBadges(dataSource.manager, member.id, { partnerId: partnerOf(res).id });
    const answered: z.output<typeof responses.memberBadges> = {
      externalId,
      badges: found.map((b) => ({
        ...b,
        image: `data:image/svg+xml;base64,${Buffer.from(emblemSvg(b.emblem, b.colour, { label: b.name })).toString('base64')}`,
        awardedAt: b.awardedAt.toISOString(),
      })),
    };
    res.json(answered);
  });

  read('/leaderboards/:leaderboardId', async (req, res) => {
    const { leaderboardId } = parse(leaderboardPath, { leaderboardId: req.params.leaderboardId }, 'path');
    const query = parse(leaderboardQuery, req.query, 'query');
    const partnerId = partnerOf(res).id;
    const board = await visibleLeaderboard(dataSource.manager, leaderboardId, { partnerId });
    const member = query.member ? (await resolveCustomer(dataSource.manager, { partnerId, customerId: query.member })).member : null;
    const ranking = await leaderboardRanking(dataSource.manager, board, { periodKey: query.period, memberId: member?.id });
    const answered: z.output<typeof responses.leaderboard> = {
      id: ranking.id,
      name: ranking.name,
      description: ranking.description,
      metric: ranking.metric,
      period: ranking.period,
      periodKey: ranking.periodKey,
      periodEndsAt: ranking.periodEndsAt?.toISOString() ?? null,
      final: ranking.final,
      prizes: ranking.prizes,
      top: ranking.top.map(({ rank, name, score }) => ({ rank, name, score })),
      member: ranking.member && query.member ? { externalId: query.member, ...ranking.member } : null,
    };
    res.json(answered);
  });

  read('/members/:externalId/transactions', async (req, res) => {
    const { customer } = customerInPath(req, res);
    const query = parse(transactionsQuery, req.query, 'query');
    const { member } = await resolveCustomer(dataSource.manager, customer);
    const page = await memberHistory(dataSource.manager, member.id, {
      viewerPartnerId: partnerOf(res).id,
      before: query.cursor,
      limit: query.limit,
    });
    const answered: z.output<typeof responses.historyPage> = {
      entries: page.entries.map(({ availableFrom, ...entry }) => ({
        ...entry,
        at: entry.at.toISOString(),
        ...(availableFrom ? { availableFrom: availableFrom.toISOString() } : {}),
      })),
      nextCursor: page.nextCursor,
    };
    res.json(answered);
  });

  write('/members/:externalId/spending-codes', async (req, res) => {
    const { externalId, customer } = customerInPath(req, res);
    const body = parse(spendingCodeBody, req.body, 'body');
    if (!memberCodes) {
      throw fieldProblem(503, 'Codes cannot be sent', 'codes_unavailable', [
        { field: 'path.externalId', message: 'this installation sends no codes: the member authorizes with a session token' },
      ]);
    }
    const { member } = await resolveCustomer(dataSource.manager, customer);
    await idempotentWrite(committed, req, res, { externalId, body }, async (manager) => {
      const partner = await manager.findOneByOrFail(Partner, { id: partnerOf(res).id });
      const issued = await issueSpendingCode(manager, { memberId: member.id, partnerId: partner.id, channel: body.channel }, codeSecret);
      // Sent before the commit: a code the member never received is never left waiting.
      await memberCodes.messenger.sendCode(
        { channel: issued.channel, address: issued.address, memberId: member.id },
        { code: issued.code, purpose: 'spend', expiresAt: issued.expiresAt, storeName: partner.name },
      );
      const answered: z.output<typeof responses.spendingCode> = {
        channel: issued.channel,
        sentTo: maskedAddress(issued.address),
        expiresAt: issued.expiresAt.toISOString(),
      };
      return { status: 201, body: answered };
    });
  });

  // A receipt is an image, sent as itself (JPEG or PNG), not as JSON.
  router.post(
    '/members/:externalId/receipts',
    express.raw({ type: () => true, limit: maxReceiptImageBytes }),
    answer(async (req, res) => {
      const { externalId, customer } = customerInPath(req, res);
      const mediaType = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (mediaType !== 'image/jpeg' && mediaType !== 'image/png') {
        throw fieldProblem(415, apiCodes.unsupported_media_type, 'unsupported_media_type', [
          { field: 'header.Content-Type', message: 'must be image/jpeg or image/png, with the image as the body' },
        ]);
      }
      if (!receiptImages) {
        throw fieldProblem(503, apiCodes.receipts_unavailable, 'receipts_unavailable', [
          { field: 'body', message: 'this installation keeps no receipt images' },
        ]);
      }
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const { member } = await resolveCustomer(dataSource.manager, customer);
      const image = createHash('sha256').update(bytes).digest('hex');
      await idempotentWrite(committed, req, res, { externalId, image }, async (manager) => {
        const receipt = await submitReceipt(manager, receiptImages, {
          memberId: member.id,
          source: 'api',
          uploadedByPartnerId: partnerOf(res).id,
          bytes,
          field: 'body',
        }).catch((error: unknown) => {
          // The image is the whole body: the refusal names the body itself, not a field in it.
          if (!(error instanceof ReceiptRefusedError)) throw error;
          const problem = refusalProblem(req, error);
          throw new ProblemError({ ...problem, detail: `body: ${error.reason}`, errors: [{ field: 'body', message: error.reason }] });
        });
        const answered: z.output<typeof responses.receipt> = {
          id: receipt.id,
          status: receipt.status,
          uploadedAt: receipt.uploadedAt.toISOString(),
          points: null,
          rejectionReason: null,
        };
        return { status: 202, body: answered };
      });
    }),
  );

  read('/members/:externalId/receipts/:receiptId', async (req, res) => {
    const { customer } = customerInPath(req, res);
    const { receiptId } = parse(receiptPath, req.params, 'path');
    const { member } = await resolveCustomer(dataSource.manager, customer);
    const receipt = await dataSource.manager.findOneBy(Receipt, {
      id: receiptId,
      memberId: member.id,
      uploadedByPartnerId: partnerOf(res).id,
    });
    if (!receipt) throw new Refusal('receipt_not_found', `no receipt ${receiptId} sent by you for this member`, 'receiptId');
    const answered: z.output<typeof responses.receipt> = {
      id: receipt.id,
      status: receipt.status,
      uploadedAt: receipt.uploadedAt.toISOString(),
      points: receipt.points,
      rejectionReason: receipt.rejectionReason,
    };
    res.json(answered);
  });

  write('/members/:externalId/redemptions', async (req, res) => {
    const { externalId, customer } = customerInPath(req, res);
    const body = parse(redemptionBody, req.body, 'body');
    const { member } = await resolveCustomer(dataSource.manager, customer);
    const consent = await memberConsent(req, res, member.id);
    await idempotentWrite(committed, req, res, { externalId, body }, async (manager, requestId) => {
      await consent(manager);
      const redemption = await redeemReward(manager, ledger, {
        memberId: member.id,
        rewardCode: body.reward,
        quantity: body.quantity,
        partnerId: partnerOf(res).id,
        key: requestId,
      });
      const answered: z.output<typeof responses.redemption> = {
        id: redemption.id,
        reward: body.reward,
        quantity: redemption.quantity,
        points: redemption.points,
        status: redemption.status,
        code: redemption.code,
      };
      return { status: 201, body: answered };
    });
  });

  write('/members/:externalId/transfers', async (req, res) => {
    const { externalId: fromExternalId, customer } = customerInPath(req, res);
    const body = parse(memberTransferBody, req.body, 'body');
    const { member: from } = await resolveCustomer(dataSource.manager, customer);
    const { member: to } = await resolveCustomer(dataSource.manager, { partnerId: customer.partnerId, customerId: body.to }, 'to');
    const consent = await memberConsent(req, res, from.id);
    await idempotentWrite(committed, req, res, { fromExternalId, body }, async (manager, requestId) => {
      await consent(manager);
      const written = await transferBetweenMembers(manager, ledger, {
        fromMemberId: from.id,
        toMemberId: to.id,
        points: body.points,
        key: requestId,
        partnerId: partnerOf(res).id,
      });
      const answered: z.output<typeof responses.memberTransfer> = {
        id: written.transfers[0]!.id,
        from: fromExternalId,
        to: body.to,
        points: body.points,
      };
      return { status: 201, body: answered };
    });
  });

  write('/widget-sessions', async (req, res) => {
    const body = parse(widgetSessionBody, req.body, 'body');
    await idempotentWrite(committed, req, res, body, async (manager) => {
      const { token, expiresAt } = await mintWidgetToken(manager, { partnerId: partnerOf(res).id, externalId: body.externalId });
      const answered: z.output<typeof responses.widgetSession> = {
        token,
        expiresAt: expiresAt.toISOString(),
        script: '/widget.js',
        element: `<tessera-earn token="${token}"></tessera-earn>`,
      };
      return { status: 201, body: answered };
    });
  });

  read('/wallet', async (_req, res) => {
    const { available, enabled, issuedToday, issuedThisMonth } = await walletStatus(dataSource.manager, partnerOf(res).id);
    const answered: z.output<typeof responses.wallet> = { available, widgetEnabled: enabled, issuedToday, issuedThisMonth };
    res.json(answered);
  });

  read('/rewards', async (_req, res) => {
    const rewards = await dataSource.manager.find(Reward, { where: { available: true }, order: { pointsPrice: 'ASC' } });
    const answered: z.output<typeof responses.rewards> = {
      rewards: rewards.map((r) => ({
        code: r.code,
        name: r.name,
        description: r.description,
        pointsPrice: r.pointsPrice,
        needsFulfilment: r.needsFulfilment,
        inStock: r.stock === null || r.stock > 0,
      })),
    };
    res.json(answered);
  });

  paymentRoutes({ dataSource, ledger, committed, read, write, parse, partnerOf, memberConsent });

  refuseOtherMethods(router);
  router.use(noSuchEndpoint);
  return router;
}
