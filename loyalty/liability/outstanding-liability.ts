import type { EntityManager } from 'typeorm';
import { pointsUnit } from '../../entities/index.js';
import { pointValue, valueOf, type PointValue } from './point-value.js';

export const ageBuckets = ['0-3', '3-6', '6-12', '12+'] as const;
/** Months since the points were earned. */
export type AgeBucket = (typeof ageBuckets)[number];

export const ageBucketWords: Record<AgeBucket, string> = {
  '0-3': 'under 3 months',
  '3-6': '3 to 6 months',
  '6-12': '6 to 12 months',
  '12+': '12 months or more',
};

export interface FunderOutstanding {
  /** The partner who paid for the points; null for the program's own (care, gifts, its budgets). */
  funderId: string | null;
  /** For the program's points a brand's or the operator's funding source paid: that source (its name is the funder's). */
  sourceId: string | null;
  funder: string;
  points: number;
  valueMinor: number;
  byAge: Record<AgeBucket, number>;
}

export interface OutstandingLiability extends PointValue {
  asOf: Date;
  /** Points members hold (posted: what holds keep aside is still theirs until spent). */
  points: number;
  valueMinor: number;
  funders: FunderOutstanding[];
  byAge: { bucket: AgeBucket; points: number; valueMinor: number }[];
  breakage: {
    /** Of the points in lots that ended (spent out or past their expiry): the share that expired. */
    rate: number;
    endedPoints: number;
    expiredPoints: number;
    /** The rate applied to the outstanding points. */
    expectedPoints: number;
    expectedValueMinor: number;
  };
}

export const programFunderName = 'The program';

/**
 * What the program owes members now, in points (store credit, counted in money, is not among them) and money at its point value, per funder and per age
 * of the points, with the breakage its history predicts. A lot counts its remaining points and the
 * points holds took from it that are not yet posted or voided, so the total equals members' posted
 * balances.
 */
export async function outstandingLiability(manager: EntityManager, asOf = new Date()): Promise<OutstandingLiability> {
  const value = await pointValue(manager);
  const rows: { funderId: string | null; sourceId: string | null; funder: string | null; bucket: AgeBucket; points: string }[] =
    await manager.query(
      `WITH held AS (
       SELECT c."lotId", SUM(c.points) AS points
         FROM lot_consumption c JOIN ledger_transfer x ON x.id = c."transferId" AND x.phase = 'pending'
        WHERE NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r."pendingTransferId" = x.id)
        GROUP BY c."lotId"),
     owed AS (
       SELECT l."fundingPartnerId", s.id AS "sourceId", s.name AS source, l."createdAt", l.remaining + COALESCE(h.points, 0) AS points
         FROM point_lot l LEFT JOIN held h ON h."lotId" = l.id
         JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
         JOIN ledger_transfer ct ON ct.id = l."creditTransferId"
         LEFT JOIN funding_source s ON s."accountId" = ct."debitAccountId" AND l."fundingPartnerId" IS NULL
        WHERE l.remaining > 0 OR h.points IS NOT NULL)
     SELECT o."fundingPartnerId" AS "funderId", o."sourceId", COALESCE(p.name, o.source) AS funder,
            CASE WHEN o."createdAt" > $1::timestamptz - interval '3 months' THEN '0-3'
                 WHEN o."createdAt" > $1::timestamptz - interval '6 months' THEN '3-6'
                 WHEN o."createdAt" > $1::timestamptz - interval '12 months' THEN '6-12'
                 ELSE '12+' END AS bucket,
            SUM(o.points) AS points
       FROM owed o LEFT JOIN partner p ON p.id = o."fundingPartnerId"
      GROUP BY 1, 2, 3, 4`,
      [asOf],
    );
  const funders = new Map<string, FunderOutstanding>();
  const byAge = Object.fromEntries(ageBuckets.map((b) => [b, 0])) as Record<AgeBucket, number>;
  for (const row of rows) {
    const points = Number(row.points);
    const key = `${row.funderId}:${row.sourceId}`;
    const funder = funders.get(key) ?? {
      funderId: row.funderId,
      sourceId: row.sourceId,
      funder: row.funder ?? programFunderName,
      points: 0,
      valueMinor: 0,
      byAge: Object.fromEntries(ageBuckets.map((b) => [b, 0])) as Record<AgeBucket, number>,
    };
    funder.points += points;
    funder.byAge[row.bucket] += points;
    byAge[row.bucket] += points;
    funders.set(key, funder);
  }
  for (const funder of funders.values()) funder.valueMinor = valueOf(funder.points, value);
  const points = [...funders.values()].reduce((sum, f) => sum + f.points, 0);

  const [history]: { ended: string; expired: string }[] = await manager.query(
    `WITH ended AS (
       SELECT l.id, l.points FROM point_lot l JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
        WHERE l.remaining = 0 OR l."expiresAt" <= $1)
     SELECT COALESCE((SELECT SUM(points) FROM ended), 0) AS ended,
            COALESCE((SELECT SUM(c.points) FROM lot_consumption c JOIN ended e ON e.id = c."lotId"
                        JOIN ledger_transfer x ON x.id = c."transferId" AND x.kind = 'expire'), 0) AS expired`,
    [asOf],
  );
  const endedPoints = Number(history!.ended);
  const expiredPoints = Number(history!.expired);
  const rate = endedPoints === 0 ? 0 : expiredPoints / endedPoints;
  const expectedPoints = Math.round(points * rate);
  return {
    ...value,
    asOf,
    points,
    valueMinor: valueOf(points, value),
    funders: [...funders.values()].sort((a, b) => b.points - a.points || a.funder.localeCompare(b.funder)),
    byAge: ageBuckets.map((bucket) => ({ bucket, points: byAge[bucket], valueMinor: valueOf(byAge[bucket], value) })),
    breakage: { rate, endedPoints, expiredPoints, expectedPoints, expectedValueMinor: valueOf(expectedPoints, value) },
  };
}
