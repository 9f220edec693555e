import type { EntityManager } from 'typeorm';
import { rows } from './sql.js';
import { InvalidTransferError, LedgerFault } from './errors.js';

/** Points taken from (positive) or given back to (negative) one lot by one transfer. */
export interface LotMovement {
  lotId: string;
  points: number;
  fundingPartnerId: string | null;
  expiresAt: Date | null;
}

interface OpenLot {
  id: string;
  remaining: number;
  fundingPartnerId: string | null;
  expiresAt: Date | null;
}

async function record(manager: EntityManager, transferId: string, movements: LotMovement[]): Promise<void> {
  if (movements.length === 0) return;
  const ids = movements.map((m) => m.lotId);
  const points = movements.map((m) => m.points);
  await rows(
    manager,
    `UPDATE point_lot l SET remaining = l.remaining - m.points
       FROM unnest($1::uuid[], $2::bigint[]) AS m(id, points) WHERE l.id = m.id`,
    [ids, points],
  );
  await rows(
    manager,
    `INSERT INTO lot_consumption ("lotId", "transferId", points)
     SELECT id, $3::uuid, points FROM unnest($1::uuid[], $2::bigint[]) AS m(id, points)`,
    [ids, points, transferId],
  );
}

/** Which lots a debit takes: `preferred` ones first (a reversed earn takes back its own lot), or `only` these. */
export interface LotChoice {
  preferred?: string[];
  only?: string[];
}

/**
 * Takes `amount` points from a member's lots, earliest expiry first (lots that never expire
 * last). The caller holds the member account's lock, which guards its lots too.
 */
export async function consumeLots(
  manager: EntityManager,
  memberAccountId: string,
  transferId: string,
  amount: number,
  choice: LotChoice = {},
): Promise<LotMovement[]> {
  const lots: OpenLot[] = await rows(
    manager,
    `SELECT id, remaining, "fundingPartnerId", "expiresAt" FROM (
       SELECT id, remaining, "fundingPartnerId", "expiresAt",
              SUM(remaining) OVER (ORDER BY (id = ANY($3::uuid[])) DESC, "expiresAt" ASC NULLS LAST, "createdAt", id) AS running
         FROM point_lot WHERE "memberAccountId" = $1 AND remaining > 0 AND ($4::uuid[] IS NULL OR id = ANY($4::uuid[]))
     ) ordered WHERE running - remaining < $2
     ORDER BY running`,
    [memberAccountId, amount, choice.preferred ?? [], choice.only ?? null],
  );
  const movements: LotMovement[] = [];
  let left = amount;
  for (const lot of lots) {
    if (left === 0) break;
    const take = Math.min(left, Number(lot.remaining));
    movements.push({ lotId: lot.id, points: take, fundingPartnerId: lot.fundingPartnerId, expiresAt: lot.expiresAt });
    left -= take;
  }
  if (left > 0 && choice.only) {
    throw new InvalidTransferError('fromLotIds', `the lots named hold ${amount - left} points, ${amount} requested`);
  }
  if (left > 0) {
    // The balance said the points were there but the lots disagree: refuse rather than guess.
    throw new LedgerFault(`Lots of account ${memberAccountId} miss ${left} points`);
  }
  await record(manager, transferId, movements);
  return movements;
}

/**
 * Gives back up to `amount` points to the lots that the given transfers still hold (what they
 * consumed minus what was already given back), most recently consumed first.
 */
export async function restoreLots(
  manager: EntityManager,
  memberAccountId: string,
  transferId: string,
  consumedByTransferIds: string[],
  amount: number,
): Promise<LotMovement[]> {
  const held: (OpenLot & { held: string })[] = await rows(
    manager,
    `SELECT l.id, l.remaining, l."fundingPartnerId", l."expiresAt", SUM(c.points) AS held, MAX(c.id) AS last
       FROM lot_consumption c JOIN point_lot l ON l.id = c."lotId"
      WHERE c."transferId" = ANY($1::uuid[]) AND l."memberAccountId" = $2
      GROUP BY l.id HAVING SUM(c.points) > 0
      ORDER BY last DESC`,
    [consumedByTransferIds, memberAccountId],
  );
  const movements: LotMovement[] = [];
  let left = amount;
  for (const lot of held) {
    if (left === 0) break;
    const give = Math.min(left, Number(lot.held));
    movements.push({ lotId: lot.id, points: -give, fundingPartnerId: lot.fundingPartnerId, expiresAt: lot.expiresAt });
    left -= give;
  }
  if (left > 0) {
    throw new LedgerFault(`Transfers ${consumedByTransferIds.join(', ')} hold ${amount - left} points, ${amount} to restore`);
  }
  await record(manager, transferId, movements);
  return movements;
}
