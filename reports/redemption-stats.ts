import type { EntityManager } from 'typeorm';
import type { DateRange } from './date-range.js';

export interface RedemptionCount {
  redemptions: number;
  /** Rewards handed over: a redemption may take several. */
  quantity: number;
  points: number;
}

export interface RedemptionStats {
  byReward: ({ reward: string } & RedemptionCount)[];
  byPartner: ({ partner: string } & RedemptionCount)[];
}

/** Redeemed outside any partner's API or widget: on the member's own dashboard. */
export const noPartner = 'Member dashboard';

/**
 * Redemptions made in the range and not cancelled, per reward and per partner through whom the
 * member redeemed; a partner's view counts those made through it only.
 */
export async function redemptionStats(manager: EntityManager, options: { range: DateRange; partnerId?: string }): Promise<RedemptionStats> {
  const { range, partnerId } = options;
  const counted = (group: string, name: string, join: string) =>
    manager.query(
      `SELECT ${name} AS name, COUNT(*)::int AS redemptions, SUM(x.quantity)::int AS quantity, SUM(x.points)::bigint AS points
         FROM redemption x ${join}
        WHERE x.status <> 'cancelled' AND x."createdAt" >= $1 AND x."createdAt" < $2 AND ($3::uuid IS NULL OR x."partnerId" = $3)
        GROUP BY ${group} ORDER BY 4 DESC, 1`,
      [range.start, range.end, partnerId ?? null],
    ) as Promise<{ name: string; redemptions: number; quantity: number; points: string }[]>;
  const [byReward, byPartner] = [
    await counted('r.id, r.name', 'r.name', 'JOIN reward r ON r.id = x."rewardId"'),
    await counted('p.id, p.name', `COALESCE(p.name, '${noPartner}')`, 'LEFT JOIN partner p ON p.id = x."partnerId"'),
  ];
  const count = (row: { redemptions: number; quantity: number; points: string }) => ({
    redemptions: row.redemptions,
    quantity: row.quantity,
    points: Number(row.points),
  });
  return {
    byReward: byReward.map((row) => ({ reward: row.name, ...count(row) })),
    byPartner: byPartner.map((row) => ({ partner: row.name, ...count(row) })),
  };
}
