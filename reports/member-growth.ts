import type { EntityManager } from 'typeorm';
import type { DateRange } from './date-range.js';

export interface MemberGrowth {
  /** Days for ranges up to 92 days, else weeks counted from the range's first day. */
  bucket: 'day' | 'week';
  /** The first day of each bucket (YYYY-MM-DD). */
  starts: string[];
  /** Members new in each bucket. */
  added: number[];
  /** Members at the end of each bucket, all those before the range included. */
  total: number[];
}

const dayMs = 86_400_000;

/**
 * New members per day (or week) of the range and the running total. For the program, a member is
 * new when they enrolled (merged-away records do not count); for a partner, when they first did
 * something at that partner: the partner's new customers.
 */
export async function memberGrowth(manager: EntityManager, options: { range: DateRange; partnerId?: string }): Promise<MemberGrowth> {
  const { range, partnerId } = options;
  const firsts = partnerId
    ? `SELECT MIN("occurredAt") AS at FROM member_event WHERE "partnerId" = $1 GROUP BY "memberId"`
    : `SELECT "enrolledAt" AS at FROM member WHERE "mergedIntoId" IS NULL AND $1::uuid IS NULL`;
  const rows: { day: string; members: number }[] = await manager.query(
    `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, COUNT(*)::int AS members FROM (${firsts}) f
      WHERE at >= $2 AND at < $3 GROUP BY 1`,
    [partnerId ?? null, range.start, range.end],
  );
  const [{ before }] = await manager.query(`SELECT COUNT(*)::int AS before FROM (${firsts}) f WHERE at < $2`, [
    partnerId ?? null,
    range.start,
  ]);
  const bucket = range.days <= 92 ? 'day' : 'week';
  const width = bucket === 'day' ? 1 : 7;
  const starts = Array.from({ length: Math.ceil(range.days / width) }, (_, i) =>
    new Date(range.start.getTime() + i * width * dayMs).toISOString().slice(0, 10),
  );
  const added = starts.map(() => 0);
  for (const row of rows) added[Math.floor((Date.parse(row.day) - range.start.getTime()) / (width * dayMs))]! += row.members;
  let running = before as number;
  return { bucket, starts, added, total: added.map((n) => (running += n)) };
}
