import type { EntityManager } from 'typeorm';

/** How long the widget keeps telling a member of a win at the store. */
const shownForMs = 86_400_000;

/** A member's latest instant win from a purchase at this store in the last day, for the widget; null when none. */
export async function recentInstantWin(
  manager: EntityManager,
  memberId: string,
  partnerId: string,
  now = new Date(),
): Promise<{ campaign: string; points: number; wonAt: Date } | null> {
  const [found] = await manager.query(
    `SELECT c.name AS campaign, d."prizePoints" AS points, d."drawnAt" AS "wonAt"
       FROM instant_win_draw d
       JOIN instant_win_campaign c ON c.id = d."campaignId"
      WHERE d."memberId" = $1 AND d.outcome = 'won' AND d."drawnAt" > $3
        AND (c."partnerId" = $2 OR EXISTS (SELECT 1 FROM member_event e WHERE e.id = d."eventId" AND e."partnerId" = $2))
      ORDER BY d."drawnAt" DESC LIMIT 1`,
    [memberId, partnerId, new Date(now.getTime() - shownForMs)],
  );
  return found ? { campaign: found.campaign, points: Number(found.points), wonAt: found.wonAt } : null;
}
