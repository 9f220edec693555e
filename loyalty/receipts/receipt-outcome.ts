import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { MemberLink, Partner, PointOfSale, Receipt, type ReceiptReviewReason } from '../../entities/index.js';
import { EventRefusedError } from '../earning/event-refused.js';
import { recordEvent } from '../earning/record-event.js';
import { checkOccurredAt } from '../earning/event-time.js';
import { programSettings } from '../earning/program-settings.js';
import type { Ledger } from '../ledger/ledger.js';
import { pgError } from '../ledger/database-errors.js';
import { inTransaction } from '../ledger/transaction.js';
import { currentMember, lockLiveMembers, type ResolvedMember } from '../member-identity.js';
import { queuedBy } from '../outbox.js';
import { Refusal } from '../refusal.js';
import { lockPurchase, PaidAlreadyRefusal, storePurchase } from './receipt-duplicates.js';
import { matchStore, readReceiptText, receiptFingerprint, type StoreCandidate } from './receipt-reading.js';

/** What the OCR made of the image: its text and mean word confidence (0–100). */
export interface OcrResult {
  text: string;
  confidence: number;
}

/** Below this OCR confidence, a read whose lines do not add up to its total is checked by care. */
export const minimumConfidence = 60;

export type ReadingOutcome = 'awarded' | 'review' | 'already_settled';

/** Every partner's name and every point of sale's names and receipt names. */
async function storeCandidates(manager: EntityManager): Promise<StoreCandidate[]> {
  const [partners, points] = await Promise.all([manager.find(Partner), manager.find(PointOfSale)]);
  return [
    ...partners.map((p) => ({ partnerId: p.id, pointOfSaleId: null, names: [p.name] })),
    ...points.map((pos) => ({ partnerId: pos.partnerId, pointOfSaleId: pos.id, names: [pos.name, ...pos.receiptNames] })),
  ];
}

/** Locks the receipt for its one settlement; null when it is not there. */
const lockedReceipt = (manager: EntityManager, id: string) =>
  manager.findOne(Receipt, { where: { id }, lock: { mode: 'pessimistic_write' } });

/**
 * A link for a member the store does not know yet. Customer ids are the store's to choose, so any
 * name Tessera makes may be one of its customers already: the member's own id makes a collision
 * unlikely, and a name someone else holds is never used (that customer would be paid).
 */
async function receiptLink(manager: EntityManager, partnerId: string, memberId: string): Promise<MemberLink> {
  for (const customerId of [`receipt-${memberId}`, `receipt-${memberId}-${randomUUID()}`]) {
    const made = manager.create(MemberLink, { partnerId, memberId, customerId, cause: 'member' });
    // A twin reading of the member's other receipt at this store may make the same link meanwhile.
    await manager.createQueryBuilder().insert().into(MemberLink).values(made).orIgnore().execute();
    const link = await manager.findOneByOrFail(MemberLink, { partnerId, customerId });
    if (link.memberId === memberId) return link;
  }
  throw new Error(`no free customer id for member ${memberId} at partner ${partnerId}`);
}

/** The purchase's moment: noon UTC of the printed day, as receipts rarely print a zone. */
const purchaseMoment = (purchasedOn: string) => new Date(`${purchasedOn}T12:00:00Z`);

/**
 * Pays a receipt as a purchase event at its partner through the earning rules, in the caller's
 * transaction. The member is addressed through their link with the partner, made now (the member
 * proved a purchase there) when they have none. The receipt claims itself (its status moves to
 * awarded only from where it was, once) so it pays once even if a lock were ever bypassed: its own
 * row, not a key of the partner's idempotency table, which a partner could send first.
 */
export async function awardReceipt(manager: EntityManager, ledger: Ledger, receipt: Receipt): Promise<void> {
  const { partnerId, purchasedOn, totalCents } = receipt;
  if (!partnerId || !purchasedOn || totalCents === null) throw new Error(`receipt ${receipt.id} is not complete enough to pay`);
  const [claimed]: [unknown[], number] = await manager.query(
    `UPDATE receipt SET status = 'awarded' WHERE id = $1 AND status IN ('reading', 'review') AND "eventId" IS NULL RETURNING id`,
    [receipt.id],
  );
  if (claimed.length === 0) throw new Error(`receipt ${receipt.id} was paid already`);
  const found = await currentMember(manager, receipt.memberId);
  if (!found) throw new Refusal('member_not_found', 'the member who sent this receipt no longer exists');
  // The store's purchase takes the member's lock too (see replaceReceiptPaidBefore): whichever
  // comes second sees the other, so a purchase sent while this was read or reviewed pays once.
  const [{ member }] = (await lockLiveMembers(manager, [found.id])) as [ResolvedMember];
  if (!receipt.acceptedAnywayReason) {
    const paid = await storePurchase(manager, receipt);
    if (paid) throw new PaidAlreadyRefusal(paid);
  }
  const link =
    (await manager.findOne(MemberLink, { where: { partnerId, memberId: member.id }, order: { linkedAt: 'ASC' } })) ??
    (await receiptLink(manager, partnerId, member.id));
  const addsUp = receipt.lines.length > 0 && receipt.lines.reduce((sum, line) => sum + line.cents, 0) === totalCents;
  const pos = receipt.pointOfSaleId ? await manager.findOneBy(PointOfSale, { id: receipt.pointOfSaleId }) : null;
  const receivedAt = new Date();
  const purchasedAt = purchaseMoment(purchasedOn);
  let recorded;
  try {
    recorded = await recordEvent(manager, ledger, {
      partnerId,
      member: { externalId: link.customerId },
      type: 'purchase',
      amountCents: totalCents,
      // Lines go with the purchase only when they make its total (a corrected total stands alone).
      lines: addsUp
        ? receipt.lines.map((line) => ({ reference: line.label.slice(0, 100), quantity: 1, unitPriceCents: line.cents }))
        : undefined,
      pointOfSaleCode: pos?.code,
      occurredAt: purchasedAt > receivedAt ? receivedAt : purchasedAt,
      receivedAt,
      receiptId: receipt.id,
    });
  } catch (error) {
    // A number too large for its column is this receipt's fault: care decides, the reading is not retried.
    if (pgError(error).code === '22003') throw new EventRefusedError('amountCents', 'the amount is too large to record');
    throw error;
  }
  const points = recorded.points + recorded.bonusPoints;
  await manager.update(Receipt, { id: receipt.id }, { status: 'awarded', eventId: recorded.event.id, points, reviewReason: null });
}

/** Why a read cannot pay by itself, or null when it can. */
async function reviewReasonOf(
  manager: EntityManager,
  receipt: Receipt,
  ocr: OcrResult,
  linesAddUp: boolean,
): Promise<ReceiptReviewReason | null> {
  if (!receipt.purchasedOn || receipt.totalCents === null) return 'unreadable';
  if (!receipt.partnerId) return 'unknown_store';
  // Two uploads of one purchase read at once (or read while care accepts a copy) decide in turn.
  await lockPurchase(manager, receipt);
  if (receipt.fingerprint) {
    const [twin] = await manager.query(
      `SELECT 1 FROM receipt WHERE fingerprint = $1 AND id <> $2 AND status IN ('awarded', 'review') LIMIT 1`,
      [receipt.fingerprint, receipt.id],
    );
    if (twin) return 'duplicate';
  }
  // Another photo of a paid purchase reads differently (another text hash): the same store, day and
  // total for the same member is most likely it, as is the same purchase the store sent itself.
  const [paid] = await manager.query(
    `SELECT 1 FROM receipt
      WHERE "memberId" = $1 AND "partnerId" = $2 AND "purchasedOn" = $3 AND "totalCents" = $4 AND id <> $5 AND status = 'awarded'
        AND ("pointOfSaleId" IS NULL OR $6::uuid IS NULL OR "pointOfSaleId" = $6)
      LIMIT 1`,
    [receipt.memberId, receipt.partnerId, receipt.purchasedOn, receipt.totalCents, receipt.id, receipt.pointOfSaleId],
  );
  if (paid || (await storePurchase(manager, receipt))) return 'likely_duplicate';
  if (ocr.confidence < minimumConfidence && !linesAddUp) return 'low_confidence';
  const settings = await programSettings(manager);
  try {
    checkOccurredAt(purchaseMoment(receipt.purchasedOn), new Date(), settings.eventBackdateDays);
  } catch (error) {
    if (error instanceof Refusal) return 'date_refused';
    throw error;
  }
  return null;
}

/**
 * Settles what the OCR read: parses and matches it, then pays the purchase or sends the receipt to
 * care's review queue, in one transaction. Settling twice settles once. Returns what became of it
 * and the processes the payment queued (webhooks, challenge progress) for the caller to start.
 */
export async function settleReceiptReading(
  dataSource: DataSource,
  ledger: Ledger,
  receiptId: string,
  ocr: OcrResult,
): Promise<{ outcome: ReadingOutcome; queued: string[] }> {
  return inTransaction(dataSource, async (manager) => {
    const receipt = await lockedReceipt(manager, receiptId);
    if (!receipt || receipt.status !== 'reading') return { outcome: 'already_settled', queued: [] };
    const reading = readReceiptText(ocr.text, (await programSettings(manager)).currency);
    const match = matchStore(reading.header, await storeCandidates(manager));
    Object.assign(receipt, {
      text: ocr.text,
      confidence: Math.round(ocr.confidence),
      storeName: match?.printed ?? reading.header[0] ?? null,
      purchasedOn: reading.purchasedOn,
      totalCents: reading.totalCents,
      lines: reading.lines,
      partnerId: match?.candidate.partnerId ?? null,
      pointOfSaleId: match?.candidate.pointOfSaleId ?? null,
      fingerprint:
        match && reading.purchasedOn && reading.totalCents !== null
          ? receiptFingerprint(ocr.text, match.candidate.partnerId, reading.purchasedOn, reading.totalCents)
          : null,
    });
    const reason = await reviewReasonOf(manager, receipt, ocr, reading.linesAddUp);
    await manager.save(
      receipt.status === 'reading' && reason ? Object.assign(receipt, { status: 'review', reviewReason: reason }) : receipt,
    );
    if (reason) return { outcome: 'review', queued: [] };
    try {
      // Within a savepoint: a purchase the rules refuse (a store short of points, a member erased
      // since) leaves the receipt to care rather than failing its workflow.
      await manager.transaction((nested) => awardReceipt(nested, ledger, receipt));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      const reviewReason = error instanceof PaidAlreadyRefusal ? 'likely_duplicate' : 'award_refused';
      await manager.update(Receipt, { id: receipt.id }, { status: 'review', reviewReason });
      return { outcome: 'review', queued: [] };
    }
    return { outcome: 'awarded', queued: queuedBy(manager) };
  });
}
