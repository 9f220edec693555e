import type { EntityManager } from 'typeorm';
import { pointsUnit } from '../entities/index.js';
import { notCountedBy } from '../loyalty/ledger/numbering-mark.js';

/** The first day (UTC) of the month a lot `l` expires in; null for a lot that never expires. */
const expiryMonth = `date_trunc('month', l."expiresAt" AT TIME ZONE 'UTC')::date`;

/** What members hold now, per funder, unit and expiry month: the open lots themselves. */
export const holdingsSelect = `SELECT l."fundingPartnerId", m.unit, ${expiryMonth} AS "expiryMonth", SUM(l.remaining) AS points
    FROM point_lot l JOIN ledger_account m ON m.id = l."memberAccountId"
   WHERE l.remaining > 0 GROUP BY 1, 2, 3`;

/**
 * How the rows a daily figures mark (`$n` … `$n+3`: transfer seq and gaps, consumption id and
 * gaps) did not count change the holdings, per funder, unit and expiry month: a lot adds its
 * points with its credit transfer (both are written in one transaction), a lot consumption takes
 * its points off (a void's negative one gives them back). `where` narrows the lots `l` and accounts `m`.
 */
export function holdingsChangeSelect(n: number, where = 'true'): string {
  return `SELECT l."fundingPartnerId", m.unit, ${expiryMonth} AS "expiryMonth", SUM(l.points) AS points
      FROM ledger_transfer t JOIN point_lot l ON l."creditTransferId" = t.id JOIN ledger_account m ON m.id = l."memberAccountId"
     WHERE ${notCountedBy('t.seq', `$${n}`, `$${n + 1}`)} AND ${where} GROUP BY 1, 2, 3
    UNION ALL
    SELECT l."fundingPartnerId", m.unit, ${expiryMonth}, -SUM(c.points)
      FROM lot_consumption c JOIN point_lot l ON l.id = c."lotId" JOIN ledger_account m ON m.id = l."memberAccountId"
     WHERE ${notCountedBy('c.id', `$${n + 2}`, `$${n + 3}`)} AND ${where} GROUP BY 1, 2, 3`;
}

/** A query's source of held points: SQL selecting `"fundingPartnerId"`, `"expiryMonth"`, `points`, and its parameters from `$n` on. */
export interface HeldPoints {
  sql: string;
  parameters: unknown[];
}

/**
 * The points members hold in points now, per funder and expiry month (several rows per pair
 * possible: add them up), of every funder or of the one in the caller's parameter `partner` (SQL,
 * e.g. `$1`). The kept holdings and their mark are read in one statement, so that a refresh
 * committing meanwhile neither hides rows from nor adds them twice to what is newer; the rows
 * written since are read by the caller's own statement, which makes the answer exact between refreshes.
 */
export async function heldPoints(manager: EntityManager, options: { partnerId?: string; partner: string; n: number }): Promise<HeldPoints> {
  const [counted]: { transferSeq: string; transferGaps: string[]; consumptionId: string; consumptionGaps: string[]; held: string }[] =
    await manager.query(
      `SELECT COALESCE(w."transferSeq", 0)::text AS "transferSeq", COALESCE(w."transferGaps", '{}') AS "transferGaps",
              COALESCE(w."consumptionId", 0)::text AS "consumptionId", COALESCE(w."consumptionGaps", '{}') AS "consumptionGaps",
              COALESCE(h.held, '[]') AS held
         FROM (SELECT 1) one
         LEFT JOIN daily_figure_watermark w ON w.id = 1
         LEFT JOIN LATERAL (
           SELECT jsonb_agg(jsonb_build_object('funder', "fundingPartnerId", 'month', "expiryMonth", 'points', points::text))::text AS held
             FROM holding_figure WHERE unit = $2 AND ($1::uuid IS NULL OR "fundingPartnerId" = $1)) h ON true`,
      [options.partnerId ?? null, pointsUnit],
    );
  const { n, partner } = options;
  return {
    sql: `SELECT k.funder AS "fundingPartnerId", k.month AS "expiryMonth", k.points
            FROM jsonb_to_recordset($${n}::jsonb) AS k(funder uuid, month date, points bigint)
          UNION ALL
          SELECT "fundingPartnerId", "expiryMonth", points FROM (${holdingsChangeSelect(
            n + 1,
            `m.unit = '${pointsUnit}' AND (${partner}::uuid IS NULL OR l."fundingPartnerId" = ${partner})`,
          )}) since`,
    parameters: [counted!.held, counted!.transferSeq, counted!.transferGaps, counted!.consumptionId, counted!.consumptionGaps],
  };
}
