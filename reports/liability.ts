import type { EntityManager } from 'typeorm';
import { heldPoints } from './holdings.js';

/** The points of one funder that members hold, and what they cost that funder. */
export interface FunderLiability {
  /** The partner who paid for the points; null for points the program gave itself (care, gifts). */
  funderId: string | null;
  funder: string;
  points: number;
  /** What the funder paid per point over its invoices, in minor units of `currency` (0.7 for 0.007 EUR); null when it bought none. */
  pricePerPoint: number | null;
  /** `points` at `pricePerPoint`, in minor units, rounded to the unit; null when unpriced. */
  money: number | null;
  currency: string | null;
}

export interface Liability {
  points: number;
  funders: FunderLiability[];
  /** Money per currency: funders who bought in different currencies are not added together. */
  money: { currency: string; minor: number }[];
}

/** Points the program gave itself are known by no partner. */
export const programFunder = 'The program (care, gifts)';

/**
 * What members hold today and may still spend, per funder, in points and at the price the funder
 * paid for them: the weighted average over its invoices in the currency of its latest one.
 */
export async function liabilityByFunder(manager: EntityManager, options: { partnerId?: string } = {}): Promise<Liability> {
  const held = await heldPoints(manager, { partnerId: options.partnerId, partner: '$1', n: 2 });
  const rows: { funderId: string | null; funder: string | null; points: string; price: string | null; currency: string | null }[] =
    await manager.query(
      `WITH held AS (SELECT "fundingPartnerId" AS funder, SUM(points) AS points FROM (${held.sql}) h GROUP BY 1 HAVING SUM(points) > 0),
       latest AS (SELECT DISTINCT ON ("partnerId") "partnerId", currency FROM invoice ORDER BY "partnerId", "createdAt" DESC, serial DESC),
       priced AS (
         SELECT i."partnerId", i.currency, SUM(i."amountCents")::numeric / NULLIF(SUM(i.points), 0) AS price
           FROM invoice i JOIN latest l ON l."partnerId" = i."partnerId" AND l.currency = i.currency GROUP BY 1, 2)
       SELECT h.funder AS "funderId", p.name AS funder, h.points, pr.price, pr.currency
         FROM held h LEFT JOIN partner p ON p.id = h.funder LEFT JOIN priced pr ON pr."partnerId" = h.funder
        ORDER BY h.points DESC, p.name`,
      [options.partnerId ?? null, ...held.parameters],
    );
  const funders = rows.map((row): FunderLiability => {
    const points = Number(row.points);
    const pricePerPoint = row.price === null ? null : Number(row.price);
    return {
      funderId: row.funderId,
      funder: row.funder ?? programFunder,
      points,
      pricePerPoint,
      money: pricePerPoint === null ? null : Math.round(points * pricePerPoint),
      currency: row.currency,
    };
  });
  const money = new Map<string, number>();
  for (const f of funders) if (f.currency && f.money !== null) money.set(f.currency, (money.get(f.currency) ?? 0) + f.money);
  return {
    points: funders.reduce((sum, f) => sum + f.points, 0),
    funders,
    money: [...money].map(([currency, minor]) => ({ currency, minor })),
  };
}
