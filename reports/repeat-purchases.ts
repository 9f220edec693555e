import type { EntityManager } from 'typeorm';
import type { DateRange } from './date-range.js';

/** Customers who bought in the range, those among them who came back, and the share that did. */
export interface Returning {
  customers: number;
  returning: number;
  /** returning / customers; 0 without customers. */
  rate: number;
}

export interface RepeatPurchases {
  all: Returning;
  byPartner: ({ partner: string } & Returning)[];
  /** By the month members enrolled in (YYYY-MM, UTC), oldest first. */
  byCohort: ({ cohort: string } & Returning)[];
}

const returning = (row: { customers: number; returning: number }): Returning => ({
  customers: row.customers,
  returning: row.returning,
  rate: row.customers > 0 ? row.returning / row.customers : 0,
});

/**
 * Who returned in the range: a customer bought (a purchase event) on at least one day of it, and
 * returned when they bought on two different days (UTC) or more. Per partner, only purchases at
 * that partner count; per enrolment cohort and in all, purchases at any partner in scope.
 */
export async function repeatPurchases(manager: EntityManager, options: { range: DateRange; partnerId?: string }): Promise<RepeatPurchases> {
  const { range, partnerId } = options;
  const purchases = `SELECT e."partnerId", e."memberId", date_trunc('day', e."occurredAt" AT TIME ZONE 'UTC') AS day
      FROM member_event e
     WHERE e.type = 'purchase' AND e."occurredAt" >= $1 AND e."occurredAt" < $2 AND ($3::uuid IS NULL OR e."partnerId" = $3)`;
  const parameters = [range.start, range.end, partnerId ?? null];
  const byPartner: { partner: string; customers: number; returning: number }[] = await manager.query(
    `WITH visits AS (SELECT "partnerId", "memberId", COUNT(DISTINCT day) AS days FROM (${purchases}) x GROUP BY 1, 2)
     SELECT p.name AS partner, COUNT(*)::int AS customers, (COUNT(*) FILTER (WHERE v.days >= 2))::int AS returning
       FROM visits v JOIN partner p ON p.id = v."partnerId" GROUP BY p.id, p.name ORDER BY 2 DESC, 1`,
    parameters,
  );
  // A partner's few thousand customers are looked up one by one: the planner's hash join read all
  // 1M members for them (180 of 200 ms at 1M members; OFFSET 0 keeps it from becoming that join
  // again). The program's hundreds of thousands of customers are joined.
  const members = partnerId
    ? `CROSS JOIN LATERAL (SELECT "enrolledAt" FROM member WHERE id = v."memberId" OFFSET 0) m`
    : `JOIN member m ON m.id = v."memberId"`;
  const byCohort: { cohort: string; customers: number; returning: number }[] = await manager.query(
    `WITH visits AS (SELECT "memberId", COUNT(DISTINCT day) AS days FROM (${purchases}) x GROUP BY 1)
     SELECT to_char(m."enrolledAt" AT TIME ZONE 'UTC', 'YYYY-MM') AS cohort, COUNT(*)::int AS customers,
            (COUNT(*) FILTER (WHERE v.days >= 2))::int AS returning
       FROM visits v ${members} GROUP BY 1 ORDER BY 1`,
    parameters,
  );
  const total = byCohort.reduce((sum, c) => ({ customers: sum.customers + c.customers, returning: sum.returning + c.returning }), {
    customers: 0,
    returning: 0,
  });
  return {
    all: returning(total),
    byPartner: byPartner.map((row) => ({ partner: row.partner, ...returning(row) })),
    byCohort: byCohort.map((row) => ({ cohort: row.cohort, ...returning(row) })),
  };
}
