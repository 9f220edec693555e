import type { Request, Response } from 'express';
import type { DataSource, EntityManager } from 'typeorm';
import type { z } from 'zod';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { describePayment, viewPayment, type PaymentView } from '../loyalty/payments/payment-view.js';
import { authorizePayment, capturePayment, quoteTender, refundPayment, voidPayment } from '../loyalty/payments/payments.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { idempotentWrite, type WriteContext } from './idempotent-write.js';
import {
  capturePaymentBody,
  paymentBody,
  paymentIdParam,
  paymentQuoteBody,
  paymentRefundBody,
  voidPaymentBody,
  type payment,
  type paymentQuote,
} from './payment-schemas.js';
import { z as zod } from 'zod';

type Handler = (req: Request, res: Response) => Promise<void>;

export interface PaymentRouteContext {
  dataSource: DataSource;
  ledger: Ledger;
  committed: WriteContext;
  read: (path: string, handler: Handler) => void;
  write: (path: string, handler: Handler) => void;
  parse: <T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'path') => z.output<T>;
  partnerOf: (res: Response) => { id: string };
  /** The member's say on the debit, checked in the write's transaction. */
  memberConsent: (req: Request, res: Response, memberId: string) => Promise<(manager: EntityManager) => Promise<void>>;
}

const paymentPath = zod.object({ paymentId: paymentIdParam });

export function answered(view: PaymentView): z.output<typeof payment> {
  return {
    ...view,
    expiresAt: view.expiresAt.toISOString(),
    createdAt: view.createdAt.toISOString(),
    refunds: view.refunds.map((r) => ({ ...r, at: r.at.toISOString() })),
  };
}

/** Paying at checkout with points, as with a card: quote, authorize, capture (all or part), void, refund. */
export function paymentRoutes({ dataSource, ledger, committed, read, write, parse, partnerOf, memberConsent }: PaymentRouteContext): void {
  write('/payments/quote', async (req, res) => {
    const body = parse(paymentQuoteBody, req.body, 'body');
    const partnerId = partnerOf(res).id;
    const found =
      body.member === undefined ? undefined : await resolveCustomer(dataSource.manager, { partnerId, customerId: body.member }, 'member');
    const quoted: z.output<typeof paymentQuote> = await inTransaction(dataSource, (manager) =>
      quoteTender(manager, {
        partnerId,
        tender: body.tender,
        basket: body,
        member: found && { id: found.member.id, accountId: found.account.id },
      }),
    );
    res.json(quoted);
  });

  write('/payments', async (req, res) => {
    const body = parse(paymentBody, req.body, 'body');
    const partnerId = partnerOf(res).id;
    const { member } = await resolveCustomer(dataSource.manager, { partnerId, customerId: body.member }, 'member');
    const consent = await memberConsent(req, res, member.id);
    await idempotentWrite(committed, req, res, body, async (manager, requestId) => {
      await consent(manager);
      const { payment } = await authorizePayment(manager, ledger, {
        partnerId,
        memberId: member.id,
        tender: body.tender,
        basket: body,
        points: body.points,
        orderReference: body.orderReference,
        pointOfSaleCode: body.pointOfSale,
        expiresAt: new Date(Date.now() + body.expiresInMinutes * 60_000),
        key: requestId,
      });
      return { status: 201, body: answered(await describePayment(manager, payment)) };
    });
  });

  read('/payments/:paymentId', async (req, res) => {
    const { paymentId } = parse(paymentPath, req.params, 'path');
    res.json(answered(await viewPayment(dataSource.manager, partnerOf(res).id, paymentId)));
  });

  write('/payments/:paymentId/capture', async (req, res) => {
    const { paymentId } = parse(paymentPath, req.params, 'path');
    const body = parse(capturePaymentBody, req.body, 'body');
    await idempotentWrite(committed, req, res, { paymentId, body }, async (manager) => {
      const payment = await capturePayment(manager, ledger, { partnerId: partnerOf(res).id, paymentId, points: body.points });
      return { status: 200, body: answered(await describePayment(manager, payment)) };
    });
  });

  write('/payments/:paymentId/void', async (req, res) => {
    const { paymentId } = parse(paymentPath, req.params, 'path');
    const body = parse(voidPaymentBody, req.body, 'body');
    await idempotentWrite(committed, req, res, { paymentId, body }, async (manager) => {
      const payment = await voidPayment(manager, ledger, { partnerId: partnerOf(res).id, paymentId });
      return { status: 200, body: answered(await describePayment(manager, payment)) };
    });
  });

  write('/payments/:paymentId/refunds', async (req, res) => {
    const { paymentId } = parse(paymentPath, req.params, 'path');
    const body = parse(paymentRefundBody, req.body, 'body');
    await idempotentWrite(committed, req, res, { paymentId, body }, async (manager, requestId) => {
      const { payment } = await refundPayment(manager, ledger, {
        partnerId: partnerOf(res).id,
        paymentId,
        points: body.points,
        key: requestId,
      });
      return { status: 201, body: answered(await describePayment(manager, payment)) };
    });
  });
}
