import type { EntityManager } from 'typeorm';
import { pointsUnit, type DailyFigureKind } from '../entities/index.js';
import { countedFigures, newConsumption, newTransfer } from './daily-figures.js';

export interface PointsFlow {
  /** The days charted, oldest first (YYYY-MM-DD, UTC). */
  days: string[];
  issued: number[];
  burned: number[];
  expired: number[];
}

type Series = { day: string; points: string | number }[];

/**
 * Points issued, burned and expired on each of `days` days from `since` (midnight, UTC) to
 * `until`, for the program or one partner: points paid from its wallet (`walletId`), and burned or
 * expired points it funded. The daily figures, plus the transfers and consumptions written since
 * they were counted.
 */
export async function pointsFlow(
  manager: EntityManager,
  options: { partnerId?: string; walletId?: string; since: Date; until: Date; days: number },
): Promise<PointsFlow> {
  const { partnerId, walletId, since, until, days } = options;
  const day = `to_char(date_trunc('day', t."createdAt" AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`;
  // The daily figures, and the transfers and consumptions written since they were counted.
  const sinceDay = since.toISOString().slice(0, 10);
  const { mark, figures } = await countedFigures(manager, { sinceDay, untilDay: until.toISOString().slice(0, 10) });
  const figured = figures.filter((f) => !partnerId || f.partnerId === partnerId);
  const issued: Series = await manager.query(
    `SELECT ${day} AS day, SUM(t.amount) AS points FROM ledger_transfer t
      WHERE t.kind IN ('earn', 'bonus') AND ${newTransfer(4)} AND t."createdAt" >= $1 AND t."createdAt" < $3 AND ($2::uuid IS NULL OR t."debitAccountId" = $2)
      GROUP BY 1`,
    [since, walletId ?? null, until, mark.transferSeq, mark.transferGaps],
  );
  // Burned and expired points count for the partner who funded the lots they came from.
  const consumed = (kind: string): Promise<Series> =>
    manager.query(
      `SELECT ${day} AS day, SUM(c.points) AS points
         FROM lot_consumption c JOIN ledger_transfer t ON t.id = c."transferId" JOIN point_lot l ON l.id = c."lotId"
         JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
        WHERE t.kind = $1 AND ${newConsumption(5)} AND t."createdAt" >= $2 AND t."createdAt" < $4 AND ($3::uuid IS NULL OR l."fundingPartnerId" = $3)
        GROUP BY 1`,
      [kind, since, partnerId ?? null, until, mark.consumptionId, mark.consumptionGaps],
    );
  const [burned, expired] = [await consumed('burn'), await consumed('expire')];
  const withFigures = (kind: DailyFigureKind, rows: Series): Series => [...rows, ...figured.filter((f) => f.kind === kind)];

  const dayList = Array.from({ length: days }, (_, i) => new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10));
  const series = (rows: Series) => {
    const byDay = new Map<string, number>();
    for (const r of rows) byDay.set(r.day, (byDay.get(r.day) ?? 0) + Number(r.points));
    return dayList.map((d) => byDay.get(d) ?? 0);
  };
  return {
    days: dayList,
    issued: series(withFigures('issued', issued)),
    burned: series(withFigures('burned', burned)),
    expired: series(withFigures('expired', expired)),
  };
}
