import type { EntityManager } from 'typeorm';
import { Challenge } from '../../entities/index.js';
import { lockProgress, recount } from './challenge-progress.js';
import { holdChallengeRounds } from './leaderboard-scores.js';

/**
 * A merge's effect on challenges, in the merge's transaction: the merged member's contributions
 * become the surviving member's, and each period's progress is recounted over both. A period either
 * of them completed stays completed (its reward paid once), so the person is not paid again for
 * it; one they reach only together is paid with their next purchase, as any reached period.
 */
export async function mergeChallengeProgress(manager: EntityManager, fromMemberId: string, intoMemberId: string): Promise<void> {
  const periods: { challengeId: string; periodKey: string }[] = await manager.query(
    `SELECT "challengeId", "periodKey" FROM challenge_progress WHERE "memberId" = $1 ORDER BY "challengeId", "periodKey"`,
    [fromMemberId],
  );
  await manager.query(`UPDATE challenge_contribution SET "memberId" = $2 WHERE "memberId" = $1`, [fromMemberId, intoMemberId]);
  for (const { challengeId, periodKey } of periods) {
    const challenge = await manager.findOneByOrFail(Challenge, { id: challengeId });
    const from = await lockProgress(manager, challenge, fromMemberId, periodKey);
    const into = await lockProgress(manager, challenge, intoMemberId, periodKey);
    await holdChallengeRounds(manager, challengeId, periodKey);
    if (!into.completedAt && from.completedAt) {
      await manager.query(
        `UPDATE challenge_progress SET "completedAt" = $4, "rewardTransferId" = $5
          WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3`,
        [challengeId, intoMemberId, periodKey, from.completedAt, from.rewardTransferId],
      );
    }
    await manager.query(`DELETE FROM challenge_progress WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3`, [
      challengeId,
      fromMemberId,
      periodKey,
    ]);
    await recount(manager, challenge, intoMemberId, periodKey, new Date());
  }
}

/**
 * Takes, before a merge locks the two members' accounts, the merged member's events (the merge
 * moves them), as counting a purchase holds its event before the buyer's account.
 */
export async function lockMergedEvents(manager: EntityManager, fromMemberId: string): Promise<void> {
  await manager.query(`SELECT count(*) FROM (SELECT 1 FROM member_event WHERE "memberId" = $1 FOR NO KEY UPDATE) e`, [fromMemberId]);
}

/**
 * Takes, after the two members' accounts and before anything is written, both members' progress
 * rows of the merged member's periods, challenge by challenge: counting and refunds lock accounts
 * before progress rows, so a purchase completing a challenge meanwhile waits for the merge rather
 * than holding a progress row the merge needs. Locks only: a merge refused after them writes nothing.
 */
export async function lockMergedProgress(manager: EntityManager, fromMemberId: string, intoMemberId: string): Promise<void> {
  await manager.query(
    `SELECT count(*) FROM (
       SELECT 1 FROM challenge_progress p
        WHERE p."memberId" IN ($1, $2)
          AND EXISTS (SELECT 1 FROM challenge_progress f
                       WHERE f."memberId" = $1 AND f."challengeId" = p."challengeId" AND f."periodKey" = p."periodKey")
        ORDER BY p."challengeId", p."periodKey", p."memberId" FOR UPDATE OF p) held`,
    [fromMemberId, intoMemberId],
  );
}
