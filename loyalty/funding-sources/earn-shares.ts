import type { EntityManager } from 'typeorm';
import { creditState } from '../pending-points.js';

/** What a refund can still take back of one earn: pending points not cancelled, or posted ones not reversed. */
async function leftOf(manager: EntityManager, earnTransferId: string): Promise<number> {
  const credit = await creditState(manager, earnTransferId);
  if (credit.state === 'cancelled') return 0;
  if (credit.state === 'pending') return credit.hold.amount;
  const [row]: { left: string }[] = await manager.query(
    `SELECT t.amount - COALESCE((SELECT SUM(r.amount) FROM ledger_transfer r WHERE r."reversesTransferId" = t.id), 0) AS left
       FROM ledger_transfer t WHERE t.id = $1`,
    [credit.transferId],
  );
  return Number(row?.left ?? 0);
}

/**
 * How a refund's `points` are taken back from a purchase's earn transfers: the wallet's and each
 * funding source's, in the order they were written, each up to what refunds have not taken back
 * yet; the last takes whatever is left (a single earn, as before there were sources, takes all).
 * An earn that was pending is followed to its confirmation or to what earlier refunds left held,
 * since those are other transfers than the one the purchase wrote.
 */
export async function earnShares(
  manager: EntityManager,
  event: { id: string; partnerId: string; earnTransferId: string },
  points: number,
): Promise<{ transferId: string; points: number }[]> {
  const legs: { id: string }[] = await manager.query(
    `SELECT t.id FROM ledger_transfer t
      WHERE t."idempotencySource" = $1 AND t."idempotencyKey" = $2 AND t.kind = 'earn'
      ORDER BY t.leg`,
    [`partner:${event.partnerId}`, `event:${event.id}`],
  );
  if (legs.length <= 1) return [{ transferId: event.earnTransferId, points }];
  const shares: { transferId: string; points: number }[] = [];
  let wanted = points;
  for (const [index, leg] of legs.entries()) {
    const take = index === legs.length - 1 ? wanted : Math.min(wanted, Math.max(0, await leftOf(manager, leg.id)));
    if (take > 0) shares.push({ transferId: leg.id, points: take });
    wanted -= take;
  }
  return shares;
}
