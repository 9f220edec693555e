import type { EntityManager } from 'typeorm';
import type { Receipt } from '../../entities/index.js';
import { clockSkewMs } from '../earning/event-time.js';
import { programSettings } from '../earning/program-settings.js';
import { typedPrice } from '../money.js';
import { currentMember } from '../member-identity.js';
import { Refusal } from '../refusal.js';

/**
 * What a receipt would pay twice. `same_receipt`: a copy of it (the same text, store, date and
 * total) was paid; `store_purchase`: the store sent the same purchase (same member, day and total)
 * through its own API.
 */
export type PaidAlreadyKind = 'same_receipt' | 'store_purchase';

export interface PaidAlready {
  kind: PaidAlreadyKind;
  /** Said to care: what was paid, when and how much. */
  description: string;
}

const points = new Intl.NumberFormat('en');
const day = (at: Date) => at.toISOString().slice(0, 10);
const instant = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export const paidAlreadyLabels: Record<
  PaidAlreadyKind,
  (paid: { points: number; at: Date; totalCents: number; currency: string }) => string
> = {
  same_receipt: (paid) => `the same receipt was already paid: ${points.format(paid.points)} points, sent on ${day(paid.at)}`,
  store_purchase: (paid) =>
    `the store already sent this purchase (${typedPrice(paid.totalCents, paid.currency)} at ${instant(paid.at)}) and it paid ${points.format(paid.points)} points`,
};

/** Found paying a receipt, under the member's lock: the store's purchase committed meanwhile. */
export class PaidAlreadyRefusal extends Refusal {
  constructor(readonly paid: PaidAlready) {
    super('receipt_refused', paid.description);
  }
}

/**
 * Serialises every decision about one purchase, in the caller's transaction: a reading and an
 * acceptance of two copies (or two acceptances) take the same locks in the same order (the copy's
 * fingerprint, then the member's store, day and total), so the second sees what the first paid.
 */
export async function lockPurchase(manager: EntityManager, receipt: Receipt): Promise<void> {
  if (receipt.fingerprint) await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`receipt:${receipt.fingerprint}`]);
  const purchase = [receipt.memberId, receipt.partnerId, receipt.purchasedOn, receipt.totalCents].join(':');
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`receipt-purchase:${purchase}`]);
}

/** The furthest time zones from UTC (Kiribati at +14, Baker Island at -12), in milliseconds. */
const earliestZone = 14 * 3_600_000;
const latestZone = 12 * 3_600_000;

/**
 * The instants a receipt's date (the store's local day) can cover. The program knows no store's
 * time zone (partners and points of sale carry none), so the day is taken in every zone there is:
 * a store purchase at 00:30 in Amsterdam (23:30 UTC the day before) matches a receipt dated that
 * local day. A genuine purchase of the same total on the next or previous UTC day is held for care,
 * who can accept it anyway, rather than paid twice.
 */
export function receiptDayInstants(purchasedOn: string): { from: Date; to: Date } {
  const midnight = new Date(`${purchasedOn}T00:00:00Z`).getTime();
  return { from: new Date(midnight - earliestZone), to: new Date(midnight + 86_400_000 + latestZone) };
}

/**
 * The store's own purchase for the receipt's member (whoever they were merged into), at its
 * partner, on its local day (receiptDayInstants) before the receipt was sent, and for its total,
 * that no receipt paid; null when there is none.
 */
export async function storePurchase(manager: EntityManager, receipt: Receipt): Promise<PaidAlready | null> {
  if (!receipt.partnerId || !receipt.purchasedOn || receipt.totalCents === null) return null;
  const member = await currentMember(manager, receipt.memberId);
  const { from, to } = receiptDayInstants(receipt.purchasedOn);
  // Not after the receipt was sent (a till's clock may run a few minutes fast): a later sale is another purchase.
  const sentBy = new Date(Math.min(to.getTime(), receipt.uploadedAt.getTime() + clockSkewMs));
  // A sale sent with lines and no amount costs what its lines add up to.
  const [event]: { points: string; bonusPoints: string; occurredAt: Date }[] = await manager.query(
    `SELECT e.points, e."bonusPoints", e."occurredAt" FROM member_event e
      WHERE e."memberId" = $1 AND e."occurredAt" >= $2 AND e."occurredAt" < $3
        AND e."partnerId" = $4 AND e.type = 'purchase'
        AND COALESCE(e."amountCents",
              (SELECT SUM((l->>'quantity')::bigint * (l->>'unitPriceCents')::bigint) FROM jsonb_array_elements(e.lines) l)) = $5
        AND NOT EXISTS (SELECT 1 FROM receipt r WHERE r."eventId" = e.id)
      ORDER BY e."occurredAt" LIMIT 1`,
    [member?.id ?? receipt.memberId, from, sentBy, receipt.partnerId, receipt.totalCents],
  );
  if (!event) return null;
  const { currency } = await programSettings(manager);
  const paid = { points: Number(event.points) + Number(event.bonusPoints), at: event.occurredAt, totalCents: receipt.totalCents, currency };
  return { kind: 'store_purchase', description: paidAlreadyLabels.store_purchase(paid) };
}

/**
 * What this receipt would pay again, under lockPurchase: a paid copy of it, or the store's own
 * purchase. Null when paying it pays nothing twice.
 */
export async function paidAlready(manager: EntityManager, receipt: Receipt): Promise<PaidAlready | null> {
  if (receipt.fingerprint) {
    const [copy]: { points: number | null; uploadedAt: Date }[] = await manager.query(
      `SELECT points, "uploadedAt" FROM receipt WHERE fingerprint = $1 AND id <> $2 AND status = 'awarded' LIMIT 1`,
      [receipt.fingerprint, receipt.id],
    );
    if (copy) {
      const paid = { points: copy.points ?? 0, at: copy.uploadedAt, totalCents: receipt.totalCents ?? 0, currency: '' };
      return { kind: 'same_receipt', description: paidAlreadyLabels.same_receipt(paid) };
    }
  }
  return storePurchase(manager, receipt);
}
