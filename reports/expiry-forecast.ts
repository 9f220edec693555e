import type { EntityManager } from 'typeorm';
import { pointsUnit } from '../entities/index.js';
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
  const rows: { month: string; funder: string | null; points: string }[] = await manager.query(
    `SELECT to_char(GREATEST(l."expiresAt", $2) AT TIME ZONE 'UTC', 'YYYY-MM') AS month, p.name AS funder, SUM(l.remaining) AS points
       FROM point_lot l LEFT JOIN partner p ON p.id = l."fundingPartnerId"
       JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
      WHERE l.remaining > 0 AND l."expiresAt" < $3 AND ($1::uuid IS NULL OR l."fundingPartnerId" = $1)
      GROUP BY 1, 2 ORDER BY 2`,
    [partnerId ?? null, now, horizon],
  );
  const byFunder = new Map<string, number[]>();
  for (const row of rows) {
    const name = row.funder ?? programFunder;
    const points = byFunder.get(name) ?? months.map(() => 0);
    points[months.indexOf(row.month)]! += Number(row.points);
    byFunder.set(name, points);
  }
  const funders = [...byFunder].map(([funder, points]) => ({ funder, points }));
  const [{ never }] = await manager.query(
    `SELECT COALESCE(SUM(l.remaining), 0) AS never
       FROM point_lot l JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
      WHERE l.remaining > 0 AND l."expiresAt" IS NULL AND ($1::uuid IS NULL OR l."fundingPartnerId" = $1)`,
    [partnerId ?? null],
  );
  return {
    months,
    funders,
    total: months.map((_, i) => funders.reduce((sum, f) => sum + f.points[i]!, 0)),
    neverExpire: Number(never),
  };
}
