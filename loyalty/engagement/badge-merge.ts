import type { EntityManager } from 'typeorm';

/**
 * A merge's effect on badges, in the merge's transaction: the surviving member holds every badge
 * either of them earned, once each, dated by its earliest award (with what earned it then). The
 * person earned nothing new: no partner is told again.
 */
export async function mergeBadges(manager: EntityManager, fromMemberId: string, intoMemberId: string): Promise<void> {
  await manager.query(
    `INSERT INTO member_badge ("badgeId", "memberId", "awardedAt", "eventId", "challengeId")
     SELECT "badgeId", $2, "awardedAt", "eventId", "challengeId" FROM member_badge WHERE "memberId" = $1
     ON CONFLICT ("badgeId", "memberId") DO UPDATE
        SET "awardedAt" = EXCLUDED."awardedAt", "eventId" = EXCLUDED."eventId", "challengeId" = EXCLUDED."challengeId"
      WHERE EXCLUDED."awardedAt" < member_badge."awardedAt"`,
    [fromMemberId, intoMemberId],
  );
  await manager.query(`DELETE FROM member_badge WHERE "memberId" = $1`, [fromMemberId]);
}
