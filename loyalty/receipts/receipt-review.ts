import type { DataSource, EntityManager } from 'typeorm';
import { Partner, PointOfSale, Receipt, type ReceiptReviewReason, type ReceiptStatus } from '../../entities/index.js';
import { maxEventAmountCents } from '../earning/earning-event.js';
import { minorDigits, parsePrice, typedPrice } from '../money.js';
import { programSettings } from '../earning/program-settings.js';
import { given, text } from '../field-checks.js';
import { isUuid } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { inTransaction } from '../ledger/transaction.js';
import { queuedBy } from '../outbox.js';
import { Refusal } from '../refusal.js';
import { awardReceipt } from './receipt-outcome.js';
import { lockPurchase, paidAlready, PaidAlreadyRefusal, type PaidAlready, type PaidAlreadyKind } from './receipt-duplicates.js';
import { receiptFingerprint, validDay } from './receipt-reading.js';

export const receiptStatusLabels: Record<ReceiptStatus, string> = {
  reading: 'Being read',
  awarded: 'Points awarded',
  review: 'Waiting for review',
  rejected: 'Rejected',
};

/** Short enough for a column of the review queue. */
export const receiptReviewReasonLabels: Record<ReceiptReviewReason, string> = {
  low_confidence: 'Hard to read',
  unreadable: 'Date or total not found',
  unknown_store: 'Store not recognised',
  duplicate: 'Same receipt sent before',
  likely_duplicate: 'Looks like a purchase already paid',
  date_refused: 'Date the program does not accept',
  award_refused: 'Payment refused',
};

/** What care reads above the review form: why the receipt waits, and what to look at. */
export const receiptReviewReasonExplanations: Record<ReceiptReviewReason, string> = {
  low_confidence: 'The reading was unsure: check the store, date and total against the photo.',
  unreadable: 'The date or the total could not be read: type them from the photo.',
  unknown_store: 'No store of the program matched the name printed: choose the store.',
  duplicate: 'The member sent this same receipt before.',
  likely_duplicate: "Same store, date and total as a purchase already paid to this member (a receipt, or the store's own).",
  date_refused: 'The purchase date is outside what the program accepts (too long ago, or ahead).',
  award_refused:
    "Paying the purchase was refused: the store is short of points, the member's account was closed, or the earning rules refuse it.",
};

/** What care may do with a receipt that would pay a purchase again. */
const nextSteps: Record<PaidAlreadyKind, string> = {
  same_receipt: 'Reject it with a reason for the member.',
  store_purchase: 'Reject it with a reason for the member, or accept it anyway if it is another purchase.',
};

/** A review care cannot record as asked; `problems` names each field of the form. */
export class ReceiptReviewRefusedError extends Refusal {
  constructor(readonly problems: Record<string, string>) {
    const [field, reason] = Object.entries(problems)[0]!;
    super('receipt_refused', reason, field, { problems });
  }
}

/** Care's acceptance refused as it would pay a purchase twice: what was paid, and what care may do. */
const paidAlreadyRefused = (paid: PaidAlready) =>
  new ReceiptReviewRefusedError({
    receipt: `Not paid: ${paid.description}. ${nextSteps[paid.kind]}`,
    // The field the override is typed in: the form offers it when the refusal names it.
    ...(paid.kind === 'store_purchase' ? { anotherPurchase: 'if it is another purchase, say why here' } : {}),
  });

/** What care may correct before accepting: each field replaces what was read when given. */
export interface ReceiptCorrections {
  /** `pos:<id>` for a point of sale, `partner:<id>` for a partner as a whole (see receiptStoreChoices). */
  store?: unknown;
  purchasedOn?: unknown;
  total?: unknown;
  /**
   * Care's override when the store already sent a purchase of the same day and total: why this is
   * another purchase (recorded on the receipt). Not sent: such a receipt is refused.
   */
  anotherPurchase?: unknown;
}

const dayFormat = /^\d{4}-\d{2}-\d{2}$/;
/**
 * A total as care types it in the program's currency ("12.50", "12,50", "12", "1,200" yen) in its
 * minor unit, as the store's API sends purchases; a decimal comma is taken where the currency has
 * decimals.
 */
function typedTotal(typed: string, currency: string): { minor: number } | { problem: string } {
  const decimals = minorDigits(currency);
  const decimalComma = decimals > 0 && new RegExp(`^\\d+,\\d{1,${decimals}}$`).test(typed) && !/^\d{1,3},\d{3}$/.test(typed);
  const parsed = parsePrice(decimalComma ? typed.replace(',', '.') : typed, currency);
  return 'problem' in parsed && parsed.problem === 'must be an amount above 0' ? { problem: 'must be more than 0' } : parsed;
}

async function waitingForReview(manager: EntityManager, receiptId: string): Promise<Receipt> {
  if (!isUuid(receiptId)) throw new Refusal('receipt_not_found', 'no such receipt', 'receipt');
  const receipt = await manager.findOne(Receipt, { where: { id: receiptId }, lock: { mode: 'pessimistic_write' } });
  if (!receipt) throw new Refusal('receipt_not_found', 'no such receipt', 'receipt');
  // A second click (or a colleague) finds it settled: nothing is paid twice.
  if (receipt.status !== 'review')
    throw new ReceiptReviewRefusedError({ receipt: `was already settled: ${receiptStatusLabels[receipt.status].toLowerCase()}` });
  return receipt;
}

/**
 * Care accepts a receipt from the review queue, with the store, date or total corrected where the
 * reading was wrong, and its points are paid through the earning rules, once, in one transaction.
 * Returns the processes the payment queued, for the caller to start after the commit.
 */
export async function acceptReceipt(
  dataSource: DataSource,
  ledger: Ledger,
  request: { receiptId: string; agentId: string; corrections: ReceiptCorrections },
): Promise<{ points: number; queued: string[]; acceptedAnywayReason: string | null }> {
  return inTransaction(dataSource, async (manager) => {
    const receipt = await waitingForReview(manager, request.receiptId);
    const { store, purchasedOn, total, anotherPurchase } = request.corrections;
    const problems: Record<string, string> = {};
    if (given(store)) {
      const [kind, id] = text(store).split(':');
      const pos = kind === 'pos' && isUuid(id) ? await manager.findOneBy(PointOfSale, { id }) : null;
      const partner = kind === 'partner' && isUuid(id) ? await manager.findOneBy(Partner, { id }) : null;
      if (pos) Object.assign(receipt, { partnerId: pos.partnerId, pointOfSaleId: pos.id });
      else if (partner) Object.assign(receipt, { partnerId: partner.id, pointOfSaleId: null });
      else problems.store = 'choose a store from the list';
    }
    if (given(purchasedOn)) {
      const day = text(purchasedOn).slice(0, 10);
      const [year, month, date] = day.split('-').map(Number) as [number, number, number];
      // A day the calendar has, from year 1 (PostgreSQL has no year 0): 2026-02-30 is refused, not stored.
      if (!dayFormat.test(day) || year < 1 || !validDay(year, month, date)) problems.purchasedOn = 'must be a date (YYYY-MM-DD)';
      else if (new Date(`${day}T00:00:00Z`).getTime() > Date.now()) problems.purchasedOn = 'must not be in the future';
      else receipt.purchasedOn = day;
    }
    const { currency } = await programSettings(manager);
    if (given(total)) {
      const typed = typedTotal(text(total), currency);
      if ('problem' in typed) problems.total = typed.problem;
      else receipt.totalCents = typed.minor;
    }
    if (!receipt.partnerId && !problems.store) problems.store = 'the store was not recognised: choose it from the list';
    if (!receipt.purchasedOn && !problems.purchasedOn) problems.purchasedOn = 'the date was not read: type it';
    if (receipt.totalCents === null && !problems.total) problems.total = 'the total was not read: type it';
    if (receipt.totalCents !== null && receipt.totalCents > maxEventAmountCents && !problems.total)
      problems.total = `must be at most ${typedPrice(maxEventAmountCents, currency)}: the largest purchase the program records`;
    if (Object.keys(problems).length > 0) throw new ReceiptReviewRefusedError(problems);
    // A copy of an unknown store's receipt is known by its corrected store, date and total.
    if (!receipt.fingerprint && receipt.text)
      receipt.fingerprint = receiptFingerprint(receipt.text, receipt.partnerId!, receipt.purchasedOn!, receipt.totalCents!);
    await lockPurchase(manager, receipt);
    const before = await paidAlready(manager, receipt);
    if (before && anotherPurchase === undefined) throw paidAlreadyRefused(before);
    if (before) {
      // The same paper twice is never two purchases; the store's purchase and a receipt of the same total may be.
      if (before.kind === 'same_receipt')
        throw new ReceiptReviewRefusedError({ anotherPurchase: 'the same receipt cannot be another purchase: reject it' });
      const override = text(anotherPurchase);
      if (override.length < 5)
        throw new ReceiptReviewRefusedError({ anotherPurchase: 'say why it is another purchase (at least 5 characters)' });
      if (override.length > 500) throw new ReceiptReviewRefusedError({ anotherPurchase: 'at most 500 characters' });
      if (override.includes('\u0000')) throw new ReceiptReviewRefusedError({ anotherPurchase: 'must not contain a NUL character' });
      receipt.acceptedAnywayReason = override;
    }
    receipt.reviewedBy = request.agentId;
    await manager.save(receipt);
    try {
      await awardReceipt(manager, ledger, receipt);
    } catch (error) {
      // The earning rules refuse some purchases (a date outside the backdate window): said under the field.
      if (!(error instanceof Refusal)) throw error;
      // The store sent the purchase while care looked: said as if it had been there before.
      if (error instanceof PaidAlreadyRefusal) throw paidAlreadyRefused(error.paid);
      if (error.code === 'event_refused' && error.field === 'occurredAt')
        throw new ReceiptReviewRefusedError({ purchasedOn: error.reason });
      if (error.code === 'event_refused' && error.field === 'amountCents') throw new ReceiptReviewRefusedError({ total: error.reason });
      throw new ReceiptReviewRefusedError({ receipt: `the purchase was refused: ${error.reason}` });
    }
    const paid = await manager.findOneByOrFail(Receipt, { id: receipt.id });
    return { points: paid.points ?? 0, queued: queuedBy(manager), acceptedAnywayReason: paid.acceptedAnywayReason };
  });
}

/** Care rejects a receipt with a reason the member reads on their dashboard. */
export async function rejectReceipt(
  dataSource: DataSource,
  request: { receiptId: string; agentId: string; reason: unknown },
): Promise<void> {
  const reason = text(request.reason);
  if (reason.length < 5)
    throw new ReceiptReviewRefusedError({ rejectionReason: 'tell the member why, in a sentence (at least 5 characters)' });
  if (reason.length > 500) throw new ReceiptReviewRefusedError({ rejectionReason: 'at most 500 characters' });
  if (reason.includes('\u0000')) throw new ReceiptReviewRefusedError({ rejectionReason: 'must not contain a NUL character' });
  await inTransaction(dataSource, async (manager) => {
    const receipt = await waitingForReview(manager, request.receiptId);
    await manager.update(Receipt, { id: receipt.id }, { status: 'rejected', rejectionReason: reason, reviewedBy: request.agentId });
  });
}

/** The stores care may pick for a receipt: each partner as a whole, and each of its points of sale. */
export async function receiptStoreChoices(manager: EntityManager): Promise<{ value: string; label: string }[]> {
  const [partners, points] = await Promise.all([
    manager.find(Partner, { order: { name: 'ASC' } }),
    manager.find(PointOfSale, { order: { name: 'ASC' } }),
  ]);
  return partners.flatMap((partner) => [
    { value: `partner:${partner.id}`, label: partner.name },
    ...points.filter((p) => p.partnerId === partner.id).map((p) => ({ value: `pos:${p.id}`, label: `${partner.name} — ${p.name}` })),
  ]);
}

/** The choice that stands for what the receipt was matched to, if anything. */
export const storeChoiceOf = (receipt: Pick<Receipt, 'partnerId' | 'pointOfSaleId'>): string =>
  receipt.pointOfSaleId ? `pos:${receipt.pointOfSaleId}` : receipt.partnerId ? `partner:${receipt.partnerId}` : '';
