import { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { Reward } from '../entities/index.js';
import { viewEvent } from '../loyalty/earning/event-view.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { walletStatus } from '../loyalty/funding.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { memberHistory } from '../loyalty/member-history.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { transferBetweenMembers } from '../loyalty/member-transfers.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { Refusal } from '../loyalty/refusal.js';
import { mintWidgetToken } from '../loyalty/widget-tokens.js';
import { idempotentWrite, type ProcessStarter } from './idempotent-write.js';
import { partnerAuth, type PartnerLocals } from './partner-auth.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { requireJson } from './require-json.js';
import { apiCodes, invalidRequest, noSuchEndpoint, ProblemError, refusalProblem, sendProblem } from './problem.js';
import * as responses from './responses.js';
import {
  eventBody,
  eventIdParam,
  externalIdParam,
  memberTransferBody,
  redemptionBody,
  refundBody,
  transactionsQuery,
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
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'path'): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest(where, result.error);
  return result.data;
}

const partnerOf = (res: Response) => (res.locals as PartnerLocals).partner;
const memberPath = z.object({ externalId: externalIdParam });
const eventPath = z.object({ eventId: eventIdParam });

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
}: ApiDependencies): Router {
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
    await idempotentWrite(committed, req, res, body, async (manager) => {
      const recorded = await recordEvent(manager, ledger, {
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
      });
      const answered: z.output<typeof responses.recordedEvent> = {
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
      };
      return { status: 201, body: answered };
    });
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

  read('/members/:externalId', async (req, res) => {
    const { externalId } = parse(memberPath, req.params, 'path');
    const summary: z.output<typeof responses.memberSummary> = await memberSummary(dataSource.manager, externalId);
    res.json(summary);
  });

  read('/members/:externalId/transactions', async (req, res) => {
    const { externalId } = parse(memberPath, req.params, 'path');
    const query = parse(transactionsQuery, req.query, 'query');
    const page = await memberHistory(dataSource.manager, externalId, {
      viewerPartnerId: partnerOf(res).id,
      before: query.cursor,
      limit: query.limit,
    });
    const answered: z.output<typeof responses.historyPage> = {
      entries: page.entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
      nextCursor: page.nextCursor,
    };
    res.json(answered);
  });

  write('/members/:externalId/redemptions', async (req, res) => {
    const { externalId } = parse(memberPath, req.params, 'path');
    const body = parse(redemptionBody, req.body, 'body');
    await idempotentWrite(committed, req, res, { externalId, body }, async (manager, requestId) => {
      const redemption = await redeemReward(manager, ledger, {
        externalId,
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
    const { externalId: fromExternalId } = parse(memberPath, req.params, 'path');
    const body = parse(memberTransferBody, req.body, 'body');
    await idempotentWrite(committed, req, res, { fromExternalId, body }, async (manager, requestId) => {
      const written = await transferBetweenMembers(manager, ledger, {
        fromExternalId,
        toExternalId: body.to,
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

  refuseOtherMethods(router);
  router.use(noSuchEndpoint);
  return router;
}
