import { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { Reward } from '../entities/index.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { walletStatus } from '../loyalty/funding.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { memberHistory } from '../loyalty/member-history.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { transferBetweenMembers } from '../loyalty/member-transfers.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { mintWidgetToken } from '../loyalty/widget-tokens.js';
import { idempotentWrite, type ProcessStarter } from './idempotent-write.js';
import { partnerAuth, type PartnerLocals } from './partner-auth.js';
import { invalidRequest, sendProblem } from './problem.js';
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

function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'path'): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest(where, result.error);
  return result.data;
}

const partnerOf = (res: Response) => (res.locals as PartnerLocals).partner;
const pathParam = (req: Request, name: string, schema: z.ZodType<string>) => parse(schema, req.params[name], 'path');

/** The partner API, version 1: authenticated by API key, idempotent writes, problem+json errors. */
export function apiV1Router({
  dataSource,
  ledger,
  processes,
  rateLimitPerMinute = 1_200,
  logFault = (error) => console.error(error),
}: ApiDependencies): Router {
  const write = { dataSource, processes, logFault };
  const router = Router();
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
          title: 'Too Many Requests',
          detail: `At most ${rateLimitPerMinute} requests a minute per API key`,
        }),
    }),
  );

  router.post('/events', async (req, res) => {
    const body = parse(eventBody, req.body, 'body');
    const partner = partnerOf(res);
    const receivedAt = new Date();
    await idempotentWrite(write, req, res, async (manager) => {
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
      return {
        status: 201,
        body: {
          id: recorded.event.id,
          member: { externalId: body.member.externalId, enrolledNow: recorded.enrolledNow },
          points: recorded.points,
          bonusPoints: recorded.bonusPoints,
          totalPoints: recorded.points + recorded.bonusPoints,
          explanation: recorded.explanation,
          tier: recorded.tier,
          upgradedTo: recorded.upgradedTo,
          expiresAt: recorded.expiresAt,
          recoveredPoints: recorded.recoveredPoints,
        },
      };
    });
  });

  router.post('/events/:eventId/refunds', async (req, res) => {
    const eventId = pathParam(req, 'eventId', eventIdParam);
    const body = parse(refundBody, req.body ?? {}, 'body');
    await idempotentWrite(write, req, res, async (manager, requestId) => ({
      status: 201,
      body: await refundEvent(manager, ledger, { partnerId: partnerOf(res).id, eventId, lines: body.lines, key: requestId }),
    }));
  });

  router.get('/members/:externalId', async (req, res) => {
    res.json(await memberSummary(dataSource.manager, pathParam(req, 'externalId', externalIdParam)));
  });

  router.get('/members/:externalId/transactions', async (req, res) => {
    const query = parse(transactionsQuery, req.query, 'query');
    const page = await memberHistory(dataSource.manager, pathParam(req, 'externalId', externalIdParam), {
      viewerPartnerId: partnerOf(res).id,
      cursor: query.cursor,
      limit: query.limit,
    });
    res.json(page);
  });

  router.post('/members/:externalId/redemptions', async (req, res) => {
    const externalId = pathParam(req, 'externalId', externalIdParam);
    const body = parse(redemptionBody, req.body, 'body');
    await idempotentWrite(write, req, res, async (manager, requestId) => {
      const redemption = await redeemReward(manager, ledger, {
        externalId,
        rewardCode: body.reward,
        quantity: body.quantity,
        partnerId: partnerOf(res).id,
        key: requestId,
      });
      return {
        status: 201,
        body: {
          id: redemption.id,
          reward: body.reward,
          quantity: redemption.quantity,
          points: redemption.points,
          status: redemption.status,
          code: redemption.code,
        },
      };
    });
  });

  router.post('/members/:externalId/transfers', async (req, res) => {
    const fromExternalId = pathParam(req, 'externalId', externalIdParam);
    const body = parse(memberTransferBody, req.body, 'body');
    await idempotentWrite(write, req, res, async (manager, requestId) => {
      const written = await transferBetweenMembers(manager, ledger, {
        fromExternalId,
        toExternalId: body.to,
        points: body.points,
        key: requestId,
        partnerId: partnerOf(res).id,
      });
      return { status: 201, body: { id: written.transfers[0]!.id, from: fromExternalId, to: body.to, points: body.points } };
    });
  });

  router.post('/widget-sessions', async (req, res) => {
    const body = parse(widgetSessionBody, req.body, 'body');
    await idempotentWrite(write, req, res, async (manager) => {
      const { token, expiresAt } = await mintWidgetToken(manager, { partnerId: partnerOf(res).id, externalId: body.externalId });
      return { status: 201, body: { token, expiresAt, script: '/widget.js', element: `<tessera-earn token="${token}"></tessera-earn>` } };
    });
  });

  router.get('/wallet', async (_req, res) => {
    const { available, enabled, issuedToday, issuedThisMonth } = await walletStatus(dataSource.manager, partnerOf(res).id);
    res.json({ available, widgetEnabled: enabled, issuedToday, issuedThisMonth });
  });

  router.get('/rewards', async (_req, res) => {
    const rewards = await dataSource.manager.find(Reward, { where: { available: true }, order: { pointsPrice: 'ASC' } });
    res.json({
      rewards: rewards.map((r) => ({
        code: r.code,
        name: r.name,
        description: r.description,
        pointsPrice: r.pointsPrice,
        needsFulfilment: r.needsFulfilment,
        inStock: r.stock === null || r.stock > 0,
      })),
    });
  });

  router.use((req, res) =>
    sendProblem(res, { status: 404, title: 'Not Found', detail: `No endpoint ${req.method} ${req.baseUrl}${req.path}` }),
  );
  return router;
}
