import type { EntityManager } from 'typeorm';
import { LedgerFault } from './errors.js';
import { rows } from './sql.js';

/** A lot that holds points of one credit: the lot the credit made, or one they were carried to since. */
export interface LineageLot {
  id: string;
  memberAccountId: string;
  /** Points that expired from this lot (breakage, attributed to its funder). */
  expired: number;
}

/**
 * The lots a merge made from these lots, and the lots a reversal into a merged member's survivor
 * made for points these lots had given (`restoresLot`). A merge makes one lot per lot it takes,
 * with the same funder, expiry and points; lots alike in all three are paired in the order the
 * merge took them and the order later debits take them (by id, as they share their creation time),
 * so the oldest stays the one spent first.
 */
const carriedSql = `
  WITH merges AS (
    SELECT DISTINCT c."transferId" AS merge FROM lot_consumption c JOIN ledger_transfer t ON t.id = c."transferId"
     WHERE c."lotId" = ANY($1::uuid[]) AND t.kind = 'merge'
  ), taken AS (
    SELECT c."lotId" AS lot, m.merge, o."fundingPartnerId" AS funder, o."expiresAt" AS expires, c.points,
           row_number() OVER (PARTITION BY m.merge, o."fundingPartnerId", o."expiresAt", c.points ORDER BY c.id) AS rank
      FROM merges m JOIN lot_consumption c ON c."transferId" = m.merge JOIN point_lot o ON o.id = c."lotId"
  ), made AS (
    SELECT l.id, l."memberAccountId", m.merge, l."fundingPartnerId" AS funder, l."expiresAt" AS expires, l.points,
           row_number() OVER (PARTITION BY m.merge, l."fundingPartnerId", l."expiresAt", l.points ORDER BY l.id) AS rank
      FROM merges m JOIN point_lot l ON l."creditTransferId" = m.merge
  ), gone AS (
    -- Only a merged member's lots have points given back elsewhere.
    SELECT l.id FROM point_lot l JOIN ledger_account a ON a.id = l."memberAccountId" JOIN member u ON u.id = a."memberId"
     WHERE l.id = ANY($1::uuid[]) AND u."mergedIntoId" IS NOT NULL
  ), debits AS (
    -- What took points from these lots, and the post of a hold that took them.
    SELECT c."lotId" AS lot, c."transferId" AS debit FROM gone JOIN lot_consumption c ON c."lotId" = gone.id WHERE c.points > 0
    UNION
    SELECT c."lotId", p.id FROM gone JOIN lot_consumption c ON c."lotId" = gone.id
      JOIN ledger_transfer p ON p."pendingTransferId" = c."transferId" AND p.phase = 'post'
     WHERE c.points > 0
  )
  SELECT made.id, made."memberAccountId" FROM taken JOIN made
      ON made.merge = taken.merge AND made.funder IS NOT DISTINCT FROM taken.funder
     AND made.expires IS NOT DISTINCT FROM taken.expires AND made.points = taken.points AND made.rank = taken.rank
   WHERE taken.lot = ANY($1::uuid[])
  UNION
  SELECT l.id, l."memberAccountId" FROM debits d
    JOIN ledger_transfer r ON r."reversesTransferId" = d.debit AND r."references"->>'restoresLot' = d.lot::text
    JOIN point_lot l ON l."creditTransferId" = r.id`;

/**
 * Every lot holding points of the credit `creditTransferId`: the lots it made, and those merges
 * carried them to, however many merges followed (A into B, then B into C), with what expired from
 * each. A refund or a reversal of the credit follows its points there, and no further: points a
 * member gave another member are theirs.
 */
export async function lotLineage(manager: EntityManager, creditTransferId: string): Promise<LineageLot[]> {
  const found = new Map<string, { id: string; memberAccountId: string }>();
  let next = await rows<{ id: string; memberAccountId: string }>(
    manager,
    `SELECT id, "memberAccountId" FROM point_lot WHERE "creditTransferId" = $1`,
    [creditTransferId],
  );
  while (next.length > 0) {
    for (const lot of next) found.set(lot.id, lot);
    next = (await rows<{ id: string; memberAccountId: string }>(manager, carriedSql, [next.map((lot) => lot.id)])).filter(
      (lot) => !found.has(lot.id),
    );
  }
  if (found.size === 0) return [];
  const expired = await rows<{ id: string; expired: string }>(
    manager,
    `SELECT c."lotId" AS id, SUM(c.points) AS expired FROM lot_consumption c JOIN ledger_transfer x ON x.id = c."transferId"
      WHERE c."lotId" = ANY($1::uuid[]) AND x.kind = 'expire' GROUP BY c."lotId"`,
    [[...found.keys()]],
  );
  const expiredOf = new Map(expired.map((e) => [e.id, Number(e.expired)]));
  return [...found.values()].map((lot) => ({ ...lot, expired: expiredOf.get(lot.id) ?? 0 }));
}

/** Points of one lot a reversal gives back, as a new lot of the same funder and expiry. */
export interface LotToRestore {
  lotId: string;
  fundingPartnerId: string | null;
  expiresAt: Date | null;
  points: number;
}

/**
 * What a reversal of `debits` (a debit, the hold it posted, its earlier reversals) gives back to
 * a member merged since, lot by lot, the last taken first: the lots are the merged member's, so the
 * points go to the survivor as new lots naming the lot they restore. Earlier reversals gave back
 * either into the lots themselves (before the merge) or as such new lots (`priorReversals`).
 */
export async function lotsToRestore(
  manager: EntityManager,
  debits: string[],
  priorReversals: string[],
  amount: number,
): Promise<LotToRestore[]> {
  const held = await rows<{ lotId: string; fundingPartnerId: string | null; expiresAt: Date | null; held: string }>(
    manager,
    `SELECT l.id AS "lotId", l."fundingPartnerId", l."expiresAt",
            SUM(c.points) - COALESCE((SELECT SUM(n.points) FROM point_lot n JOIN ledger_transfer r ON r.id = n."creditTransferId"
                                       WHERE n."creditTransferId" = ANY($2::uuid[]) AND r."references"->>'restoresLot' = l.id::text), 0) AS held
       FROM lot_consumption c JOIN point_lot l ON l.id = c."lotId"
      WHERE c."transferId" = ANY($1::uuid[])
      GROUP BY l.id, l."fundingPartnerId", l."expiresAt"
      ORDER BY MAX(c.id) DESC`,
    [debits, priorReversals],
  );
  const restored: LotToRestore[] = [];
  let left = amount;
  for (const lot of held) {
    const points = Math.min(left, Number(lot.held));
    if (points <= 0) continue;
    restored.push({ lotId: lot.lotId, fundingPartnerId: lot.fundingPartnerId, expiresAt: lot.expiresAt, points });
    left -= points;
    if (left === 0) break;
  }
  if (left > 0) throw new LedgerFault(`Transfers ${debits.join(', ')} hold ${amount - left} points, ${amount} to restore`);
  return restored;
}
