import type { EntityManager } from 'typeorm';

/**
 * How a refund's `points` are taken back from a purchase's earn transfers: the wallet's and each
 * funding source's, in the order they were written, each up to what refunds have not taken back
 * yet; the last takes whatever is left (a single earn, as before there were sources, takes all).
 */
export async function earnShares(
  manager: EntityManager,
  event: { id: string; partnerId: string; earnTransferId: string },
  points: number,
): Promise<{ transferId: string; points: number }[]> {
  const legs: { id: string; left: string }[] = await manager.query(
    `SELECT t.id, t.amount - COALESCE((SELECT SUM(r.amount) FROM ledger_transfer r WHERE r."reversesTransferId" = t.id), 0) AS left
       FROM ledger_transfer t
      WHERE t."idempotencySource" = $1 AND t."idempotencyKey" = $2 AND t.kind = 'earn'
      ORDER BY t.leg`,
    [`partner:${event.partnerId}`, `event:${event.id}`],
  );
  if (legs.length <= 1) return [{ transferId: event.earnTransferId, points }];
  const shares: { transferId: string; points: number }[] = [];
  let wanted = points;
  for (const [index, leg] of legs.entries()) {
    const take = index === legs.length - 1 ? wanted : Math.min(wanted, Math.max(0, Number(leg.left)));
    if (take > 0) shares.push({ transferId: leg.id, points: take });
    wanted -= take;
  }
  return shares;
}
