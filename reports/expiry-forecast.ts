import type { EntityManager } from 'typeorm';
import { heldPoints } from './holdings.js';
import { programFunder } from './liability.js';

export interface ExpiryForecast {
  /** The months ahead, this one first (YYYY-MM, UTC). */
  months: string[];
  /** Points that will expire in each month unless spent first, per funder. */
  funders: { funder: string; points: number[] }[];
  total: number[];
  /** Points held in lots without an expiry date. */
  neverExpire: number;
}

/**
 * The points members hold that expire in each of the next `months` months (this one included),
 * per funder. Points already due but not yet taken by the expiry run count in this month.
 */
export async function expiryForecast(
  manager: EntityManager,
  options: { partnerId?: string; now?: Date; months?: number } = {},
): Promise<ExpiryForecast> {
  const { partnerId, now = new Date(), months: count = 12 } = options;
  const months = Array.from({ length: count }, (_, i) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1)).toISOString().slice(0, 7),
  );
  const horizon = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + count, 1));
  const held = await heldPoints(manager, { partnerId, partner: '$1', n: 4 });
  // One row per month and funder in the horizon, and per funder for the points that never expire (month null).
  const rows: { month: string | null; funder: string | null; points: string }[] = await manager.query(
    `SELECT CASE WHEN h."expiryMonth" IS NOT NULL
                 THEN to_char(GREATEST(h."expiryMonth", date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC')::date), 'YYYY-MM') END AS month,
            p.name AS funder, SUM(h.points) AS points
       FROM (${held.sql}) h LEFT JOIN partner p ON p.id = h."fundingPartnerId"
      WHERE h."expiryMonth" IS NULL OR h."expiryMonth" < ($3::timestamptz AT TIME ZONE 'UTC')::date
      GROUP BY 1, 2 HAVING SUM(h.points) > 0 ORDER BY 2`,
    [partnerId ?? null, now, horizon, ...held.parameters],
  );
  const byFunder = new Map<string, number[]>();
  let never = 0;
  for (const row of rows) {
    if (row.month === null) {
      never += Number(row.points);
      continue;
    }
    const name = row.funder ?? programFunder;
    const points = byFunder.get(name) ?? months.map(() => 0);
    points[months.indexOf(row.month)]! += Number(row.points);
    byFunder.set(name, points);
  }
  const funders = [...byFunder].map(([funder, points]) => ({ funder, points }));
  return {
    months,
    funders,
    total: months.map((_, i) => funders.reduce((sum, f) => sum + f.points[i]!, 0)),
    neverExpire: never,
  };
}
