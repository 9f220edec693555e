import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { Payment, PointOfSale, type PaymentTender } from '../../entities/index.js';
import { programSettings } from '../earning/program-settings.js';
import { refuseShortfall } from '../ledger/errors.js';
import type { Ledger } from '../ledger/ledger.js';
import { inTransaction } from '../ledger/transaction.js';
import { lockLiveMembers, type ResolvedMember } from '../member-identity.js';
import { formatMoney, typedPrice } from '../money.js';
import { queueProcess } from '../outbox.js';
import { checkPointsAgainstQuote, usableBy, valueOfPoints, type Basket, type PaymentQuote } from './payment-quote.js';
import {
  PaymentAlreadyCapturedError,
  PaymentNotAuthorizedError,
  PaymentNotCapturedError,
  PaymentNotFoundError,
  PaymentOverCaptureError,
  PaymentOverRefundError,
  PaymentRefusedError,
} from './payment-refusals.js';
import { balanceOf } from '../ledger/accounts.js';
import { purseFor } from './purse.js';
import { quoteCredit, quotePayment } from './payment-quote.js';
import { creditProgramOfPartner } from '../store-credit/credit-programs.js';
import { Refusal } from '../refusal.js';

/** How long an authorization holds the points when the store does not say: a checkout's time. */
export const defaultAuthorizationMinutes = 15;

export interface AuthorizationRequest {
  partnerId: string;
  memberId: string;
  tender: PaymentTender;
  basket: Basket;
  points: number;
  orderReference: string;
  pointOfSaleCode?: string;
  expiresAt: Date;
  /** The store's key for this authorization: the same key again finds the first payment. */
  key: string;
}

/** The ledger's source for a store's payments: keys are unique per store. */
const sourceOf = (partnerId: string) => `payment:${partnerId}`;

/**
 * Holds the member's points for an order at a store, within the program's rules, until the store
 * captures or voids the payment or it expires (a hold_timeout process gives the points back).
 * In the caller's transaction, after the member's authorization was checked in it.
 */
export async function authorizePayment(
  manager: EntityManager,
  ledger: Ledger,
  request: AuthorizationRequest,
): Promise<{ payment: Payment; replayed: boolean }> {
  const [{ member, account }] = (await lockLiveMembers(manager, [request.memberId])) as [ResolvedMember];
  const earlier = await manager.findOneBy(Payment, { partnerId: request.partnerId, idempotencyKey: request.key });
  if (earlier) return { payment: earlier, replayed: true };
  const settings = await programSettings(manager);
  const purse = await purseFor(manager, request.tender, { id: member.id, accountId: account.id }, request.partnerId, settings);
  const quote = purse.quote(request.basket);
  checkPointsAgainstQuote(request.points, quote);
  let pointOfSaleId: string | null = null;
  if (request.pointOfSaleCode !== undefined) {
    const pos = await manager.findOneBy(PointOfSale, { partnerId: request.partnerId, code: request.pointOfSaleCode });
    if (!pos) throw new PaymentRefusedError('pointOfSale', `no point of sale "${request.pointOfSaleCode}" is registered for this store`);
    pointOfSaleId = pos.id;
  }
  const id = randomUUID();
  const valueMinor = valueOfPoints(request.points, purse.valueMinorPerUnit);
  const hold = await refuseShortfall(
    purse.memberAccountId,
    () =>
      ledger.hold(
        {
          source: sourceOf(request.partnerId),
          key: request.key,
          until: request.expiresAt,
          legs: [
            {
              debitAccountId: purse.memberAccountId,
              creditAccountId: purse.redemptionAccountId,
              amount: request.points,
              kind: 'burn',
              references: { partner: request.partnerId, payment: id, order: request.orderReference },
              explanation: [
                {
                  rule: 'payment',
                  points: -request.points,
                  reason: `paid ${quote.currency} ${typedPrice(valueMinor, quote.currency)} of order ${request.orderReference}`,
                },
              ],
            },
          ],
        },
        manager,
      ),
    'points',
    (short) =>
      purse.unit === 'points'
        ? `the member has ${short.available} points available, ${short.requested} requested`
        : `the member has ${formatMoney(short.available, purse.unit)} of store credit available, ${formatMoney(short.requested, purse.unit)} requested`,
  );
  const payment = manager.create(Payment, {
    id,
    partnerId: request.partnerId,
    memberId: member.id,
    pointOfSaleId,
    orderReference: request.orderReference,
    tender: request.tender,
    basketAmountMinor: quote.basketAmountMinor,
    eligibleAmountMinor: quote.eligibleAmountMinor,
    currency: quote.currency,
    pointValueMinor: purse.valueMinorPerUnit,
    pointsAuthorized: request.points,
    pointsCaptured: 0,
    pointsRefunded: 0,
    status: 'authorized',
    holdTransferId: hold.transfers[0]!.id,
    captureTransferId: null,
    expiresAt: request.expiresAt,
    idempotencyKey: request.key,
  });
  await manager.insert(Payment, payment);
  // Started once this commits: at expiresAt the points go back if the store neither captured nor voided.
  await queueProcess(manager, 'hold_timeout', payment.holdTransferId, { expiresAt: request.expiresAt.toISOString() });
  return { payment: await manager.findOneByOrFail(Payment, { id }), replayed: false };
}

/**
 * What a tender may pay of a basket at the partner's stores and, for a member (their points
 * account and id), how much of it they can use now. Writes nothing but a member's empty credit
 * account the first time.
 */
export async function quoteTender(
  manager: EntityManager,
  request: { partnerId: string; tender: PaymentTender; basket: Basket; member?: { id: string; accountId: string } },
): Promise<PaymentQuote & { member: ReturnType<typeof usableBy> | null }> {
  const settings = await programSettings(manager);
  if (!request.member) {
    if (request.tender === 'points') return { ...quotePayment(request.basket, settings), member: null };
    const program = await creditProgramOfPartner(manager, request.partnerId);
    if (!program)
      throw new Refusal('credit_refused', 'this store takes part in no store-credit program: pay with points or money', 'tender');
    return { ...quoteCredit(request.basket, program.currency), member: null };
  }
  const purse = await purseFor(manager, request.tender, request.member, request.partnerId, settings);
  const quote = purse.quote(request.basket);
  const { available } = await balanceOf(manager, purse.memberAccountId);
  return { ...quote, member: usableBy(quote, available) };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The store's payment, locked for this transaction: a capture, a void, a refund and the expiry of
 * one payment take turns. Another store's payment is not found, exactly as one that does not exist.
 */
async function lockPayment(manager: EntityManager, partnerId: string, paymentId: string): Promise<Payment> {
  if (!uuidPattern.test(paymentId)) throw new PaymentNotFoundError();
  const payment = await manager.findOne(Payment, { where: { id: paymentId, partnerId }, lock: { mode: 'pessimistic_write' } });
  if (!payment) throw new PaymentNotFoundError();
  return payment;
}

/** Refuses a capture or void of a payment that is no longer only authorized. */
function requireAuthorized(payment: Payment, now: Date): void {
  switch (payment.status) {
    case 'authorized':
      // Past its limit the authorization is gone, even before its timer has given the points back.
      if (payment.expiresAt <= now) throw new PaymentNotAuthorizedError('expired');
      return;
    case 'captured':
    case 'partially_refunded':
    case 'refunded':
      throw new PaymentAlreadyCapturedError();
    case 'voided':
    case 'expired':
      throw new PaymentNotAuthorizedError(payment.status);
  }
}

/** The store takes the authorized points, all or `points` of them, once; the rest go back to the member's lots. */
export async function capturePayment(
  manager: EntityManager,
  ledger: Ledger,
  request: { partnerId: string; paymentId: string; points?: number },
  now = new Date(),
): Promise<Payment> {
  const payment = await lockPayment(manager, request.partnerId, request.paymentId);
  requireAuthorized(payment, now);
  const points = request.points ?? payment.pointsAuthorized;
  if (points > payment.pointsAuthorized) throw new PaymentOverCaptureError(payment.pointsAuthorized);
  const posted = await ledger.post(
    { source: sourceOf(payment.partnerId), key: `${payment.id}:capture`, pendingTransferId: payment.holdTransferId, amount: points },
    manager,
  );
  await manager.update(
    Payment,
    { id: payment.id },
    { status: 'captured', pointsCaptured: points, captureTransferId: posted.transfers[0]!.id },
  );
  return manager.findOneByOrFail(Payment, { id: payment.id });
}

/** The store lets the authorization go: every held point returns to the lots it came from. */
export async function voidPayment(
  manager: EntityManager,
  ledger: Ledger,
  request: { partnerId: string; paymentId: string },
  now = new Date(),
): Promise<Payment> {
  const payment = await lockPayment(manager, request.partnerId, request.paymentId);
  requireAuthorized(payment, now);
  await ledger.void({ source: sourceOf(payment.partnerId), key: `${payment.id}:void`, pendingTransferId: payment.holdTransferId }, manager);
  await manager.update(Payment, { id: payment.id }, { status: 'voided' });
  return manager.findOneByOrFail(Payment, { id: payment.id });
}

/**
 * Gives captured points back (the order returned), all that is left or `points`, as often as the
 * store refunds, never beyond what was captured: they return to the very lots they came from.
 */
export async function refundPayment(
  manager: EntityManager,
  ledger: Ledger,
  request: { partnerId: string; paymentId: string; points?: number; key: string },
): Promise<{ payment: Payment; refundTransferId: string; points: number }> {
  const payment = await lockPayment(manager, request.partnerId, request.paymentId);
  if (payment.status === 'authorized' || payment.status === 'voided' || payment.status === 'expired') {
    throw new PaymentNotCapturedError(payment.status);
  }
  const left = payment.pointsCaptured - payment.pointsRefunded;
  const points = request.points ?? left;
  if (left === 0 || points > left) throw new PaymentOverRefundError(left);
  const reversed = await ledger.reverse(
    {
      source: sourceOf(payment.partnerId),
      key: `${payment.id}:refund:${request.key}`,
      transferId: payment.captureTransferId!,
      amount: points,
      references: { partner: payment.partnerId, payment: payment.id, order: payment.orderReference },
      explanation: [{ rule: 'payment refund', points, reason: `refund of order ${payment.orderReference}` }],
    },
    manager,
  );
  const refunded = payment.pointsRefunded + points;
  await manager.update(
    Payment,
    { id: payment.id },
    { pointsRefunded: refunded, status: refunded === payment.pointsCaptured ? 'refunded' : 'partially_refunded' },
  );
  return { payment: await manager.findOneByOrFail(Payment, { id: payment.id }), refundTransferId: reversed.transfers[0]!.id, points };
}

/**
 * At its time limit, an authorization nobody captured or voided gives its points back and is
 * `expired`. Null when the hold is not a payment's. Idempotent: a payment settled meanwhile is left.
 */
export async function expireAuthorization(
  dataSource: DataSource,
  ledger: Ledger,
  holdTransferId: string,
  asOf: Date,
): Promise<'released' | 'already_settled' | 'not_due' | null> {
  return inTransaction(dataSource, async (manager) => {
    const payment = await manager.findOne(Payment, { where: { holdTransferId }, lock: { mode: 'pessimistic_write' } });
    if (!payment) return null;
    if (payment.status !== 'authorized') return 'already_settled';
    if (payment.expiresAt > asOf) return 'not_due';
    await ledger.void({ source: 'system:hold-expiry', key: holdTransferId, pendingTransferId: holdTransferId }, manager);
    await manager.update(Payment, { id: payment.id }, { status: 'expired' });
    return 'released';
  });
}
