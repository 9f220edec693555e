import type { EntityManager } from 'typeorm';
import { Payment, PointOfSale, type PaymentStatus, type PaymentTender } from '../../entities/index.js';
import { customerIdOf } from '../member-identity.js';
import { valueOfPoints } from './payment-quote.js';
import { PaymentNotFoundError } from './payment-refusals.js';

export interface PaymentView {
  id: string;
  status: PaymentStatus;
  tender: PaymentTender;
  /** The store's own id for the member. */
  member: string | null;
  orderReference: string;
  pointOfSale: string | null;
  currency: string;
  basketAmountMinor: number;
  eligibleAmountMinor: number;
  pointValueMinor: number;
  points: { authorized: number; captured: number; refunded: number };
  /** What those points pay, in minor units of `currency`. */
  valueMinor: { authorized: number; captured: number; refunded: number };
  expiresAt: Date;
  createdAt: Date;
  refunds: { id: string; points: number; valueMinor: number; at: Date }[];
}

/** A store's payment as the store reads it: another store's is not found. */
export async function viewPayment(manager: EntityManager, partnerId: string, paymentId: string, field = 'paymentId'): Promise<PaymentView> {
  const payment = await manager.findOneBy(Payment, { id: paymentId, partnerId });
  if (!payment) throw new PaymentNotFoundError(field);
  return describePayment(manager, payment);
}

export async function describePayment(manager: EntityManager, payment: Payment): Promise<PaymentView> {
  const value = (points: number) => valueOfPoints(points, payment.pointValueMinor);
  const refunds: { id: string; amount: string; createdAt: Date }[] = payment.captureTransferId
    ? await manager.query(`SELECT id, amount, "createdAt" FROM ledger_transfer WHERE "reversesTransferId" = $1 ORDER BY seq`, [
        payment.captureTransferId,
      ])
    : [];
  const pos = payment.pointOfSaleId ? await manager.findOneBy(PointOfSale, { id: payment.pointOfSaleId }) : null;
  return {
    id: payment.id,
    status: payment.status,
    tender: payment.tender,
    member: await customerIdOf(manager, payment.memberId, payment.partnerId),
    orderReference: payment.orderReference,
    pointOfSale: pos?.code ?? null,
    currency: payment.currency,
    basketAmountMinor: payment.basketAmountMinor,
    eligibleAmountMinor: payment.eligibleAmountMinor,
    pointValueMinor: payment.pointValueMinor,
    points: { authorized: payment.pointsAuthorized, captured: payment.pointsCaptured, refunded: payment.pointsRefunded },
    valueMinor: {
      authorized: value(payment.pointsAuthorized),
      captured: value(payment.pointsCaptured),
      refunded: value(payment.pointsRefunded),
    },
    expiresAt: payment.expiresAt,
    createdAt: payment.createdAt,
    refunds: refunds.map((r) => ({ id: r.id, points: Number(r.amount), valueMinor: value(Number(r.amount)), at: r.createdAt })),
  };
}
