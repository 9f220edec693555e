import type { EntityManager } from 'typeorm';
import { operatorParty, pointsUnit } from '../../entities/index.js';
import type { SettlementFlow } from './settlement-clearing.js';
import type { SettlementPeriod } from './settlement-period.js';

interface FlowRow {
  funder: string;
  at: string | null;
  points: string;
  shown: string[];
  moved: string[];
}

const party = (column: string) => `COALESCE(${column}::text, '${operatorParty}')`;

/**
 * Reversals in the period of `kind` transfers of a member merged since: they gave the points back
 * to the survivor as new lots (naming the lot they restore), not into the lots taken, so they count
 * by those lots, negative, as reversals into the lots themselves do by their negative consumptions.
 */
const restoredToSurvivor = (kind: 'burn' | 'expire', at: string) => `
    SELECT l."fundingPartnerId" AS funder, ${at} AS at, -l.points AS points, r.id AS shown, r.id AS moved
      FROM ledger_transfer r JOIN ledger_transfer o ON o.id = r."reversesTransferId"
      JOIN ledger_account a ON a.id = o."creditAccountId" AND (o.kind = 'burn' OR a.kind = 'program')
      JOIN point_lot l ON l."creditTransferId" = r.id
      JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
     WHERE r.kind = 'reversal' AND o.kind = '${kind}' AND r."createdAt" >= $1 AND r."createdAt" < $2`;

// Store credit (accounts counting a currency) is money, not points: it is neither issued, redeemed nor broken here.

/**
 * Transfers that redeemed points in the period, each with the transfers whose lot consumptions make
 * up its points: a burn posted at once; a hold when it is posted (its hold took the points, a
 * partial post gives some back itself); a reversal of a burn when it is made, by the lots it gave
 * back to, or made for the survivor of a member merged since. A voided or still pending hold
 * counts nowhere. Where: the partner the burn names, else the operator.
 */
const redeemedSql = `
  WITH counted AS (
    SELECT t.id AS shown, t.id AS moved, t."references"->>'partner' AS at
      FROM ledger_transfer t
     WHERE t.kind = 'burn' AND t.phase IN ('single', 'post') AND t."createdAt" >= $1 AND t."createdAt" < $2
    UNION ALL
    SELECT t.id, t."pendingTransferId", t."references"->>'partner'
      FROM ledger_transfer t
     WHERE t.kind = 'burn' AND t.phase = 'post' AND t."createdAt" >= $1 AND t."createdAt" < $2
    UNION ALL
    SELECT r.id, r.id, o."references"->>'partner'
      FROM ledger_transfer r JOIN ledger_transfer o ON o.id = r."reversesTransferId"
     WHERE r.kind = 'reversal' AND o.kind = 'burn' AND r."createdAt" >= $1 AND r."createdAt" < $2
  ), moves AS (
    SELECT l."fundingPartnerId" AS funder, c.at, lc.points, c.shown, c.moved
      FROM counted c JOIN lot_consumption lc ON lc."transferId" = c.moved JOIN point_lot l ON l.id = lc."lotId"
      JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
    UNION ALL
    ${restoredToSurvivor('burn', `o."references"->>'partner'`)}
  )
  SELECT ${party('funder')} AS funder, COALESCE(at, '${operatorParty}') AS at, SUM(points) AS points,
         array_agg(DISTINCT shown) AS shown, array_agg(DISTINCT moved) AS moved
    FROM moves GROUP BY 1, 2`;

/**
 * Points that expired into breakage in the period (and such expiries reversed in it), by the funder
 * of each lot. Points an erasure gave back to their funder's wallet are not breakage.
 */
const breakageSql = `
  WITH counted AS (
    SELECT t.id FROM ledger_transfer t JOIN ledger_account a ON a.id = t."creditAccountId"
     WHERE t.kind = 'expire' AND a.kind = 'program' AND a.unit = '${pointsUnit}' AND t."createdAt" >= $1 AND t."createdAt" < $2
    UNION ALL
    SELECT r.id FROM ledger_transfer r JOIN ledger_transfer o ON o.id = r."reversesTransferId"
      JOIN ledger_account a ON a.id = o."creditAccountId"
     WHERE r.kind = 'reversal' AND o.kind = 'expire' AND a.kind = 'program' AND a.unit = '${pointsUnit}' AND r."createdAt" >= $1 AND r."createdAt" < $2
  ), moves AS (
    SELECT l."fundingPartnerId" AS funder, lc.points, c.id AS shown, c.id AS moved
      FROM counted c JOIN lot_consumption lc ON lc."transferId" = c.id JOIN point_lot l ON l.id = lc."lotId"
    UNION ALL
    SELECT funder, points, shown, moved FROM (${restoredToSurvivor('expire', 'NULL')}) restored
  )
  SELECT ${party('funder')} AS funder, NULL AS at, SUM(points) AS points, array_agg(DISTINCT shown) AS shown, array_agg(DISTINCT moved) AS moved
    FROM moves GROUP BY 1`;

/**
 * Points given to members from outside them (a partner's wallet, a program account) in the period,
 * by the funder of the lots made, less those such gifts' reversals took back in it, by the lots
 * they took. Moves between members (gifts, merges) issue nothing.
 */
const issuedSql = `
  WITH made AS (
    SELECT t.id, ${party('l."fundingPartnerId"')} AS funder, l.points
      FROM ledger_transfer t
      JOIN ledger_account d ON d.id = t."debitAccountId"
      JOIN point_lot l ON l."creditTransferId" = t.id
     -- A reversal's lots give back points spent or expired (counted there), they issue nothing.
     WHERE d.kind <> 'member' AND d.unit = '${pointsUnit}' AND t.kind <> 'reversal' AND t."createdAt" >= $1 AND t."createdAt" < $2
    UNION ALL
    SELECT r.id, ${party('l."fundingPartnerId"')}, -lc.points
      FROM ledger_transfer r
      JOIN ledger_transfer o ON o.id = r."reversesTransferId"
      JOIN ledger_account d ON d.id = o."debitAccountId"
      JOIN ledger_account cr ON cr.id = o."creditAccountId"
      JOIN lot_consumption lc ON lc."transferId" = r.id
      JOIN point_lot l ON l.id = lc."lotId"
     WHERE r.kind = 'reversal' AND d.kind <> 'member' AND d.unit = '${pointsUnit}' AND cr.kind = 'member' AND r."createdAt" >= $1 AND r."createdAt" < $2
  )
  SELECT funder, NULL AS at, SUM(points) AS points, array_agg(DISTINCT id) AS shown, array_agg(DISTINCT id) AS moved
    FROM made GROUP BY 1`;

const transferIdsOf = (row: FlowRow) => [...new Set([...row.shown, ...row.moved])].sort();

/** What the ledger says about the period, as flows per funder (and, for redemptions, per party that honoured them). */
export async function settlementFlows(manager: EntityManager, { start, end }: SettlementPeriod): Promise<SettlementFlow[]> {
  const query = (sql: string) => manager.query<FlowRow[]>(sql, [start, end]);
  const [redeemed, breakage, issued] = [await query(redeemedSql), await query(breakageSql), await query(issuedSql)];
  return [
    ...issued.map((row): SettlementFlow => ({
      kind: 'issued',
      funder: row.funder,
      points: Number(row.points),
      transferIds: transferIdsOf(row),
    })),
    ...redeemed.map((row): SettlementFlow => ({
      kind: 'redeemed',
      funder: row.funder,
      at: row.at!,
      points: Number(row.points),
      transferIds: transferIdsOf(row),
    })),
    ...breakage.map((row): SettlementFlow => ({
      kind: 'breakage',
      funder: row.funder,
      points: Number(row.points),
      transferIds: transferIdsOf(row),
    })),
  ].filter((flow) => flow.points !== 0 || flow.transferIds.length > 0);
}
