import type { EntityManager } from 'typeorm';

/**
 * The score buckets of LeaderboardScoreBucket (entities/leaderboard.ts), as the triggers of
 * 1796085723081-LeaderboardScoreBuckets keep them: levels 0 to 7, 8 bits each, of positive scores.
 */
const levels = `generate_series(0, 7) AS l(level)`;
const prefixAt = (score: string) => `(${score} >> (8 * l.level))`;

/**
 * SQL for the number of members of the period `board`.`period` scoring above `score` (SQL
 * expressions): at each level, the members of the buckets after the score's own that share its
 * parent, at most 255 rows a level.
 */
export const membersAboveSql = (board: string, period: string, score: string) => `
  (SELECT coalesce(sum(b.members), 0)::int FROM ${levels}
     JOIN leaderboard_score_bucket b ON b."leaderboardId" = ${board} AND b."periodKey" = ${period} AND b.level = l.level
      AND b.prefix > ${prefixAt(score)} AND b.prefix <= ${prefixAt(score)} | 255)`;

export interface BucketDrift {
  leaderboardId: string;
  periodKey: string;
  level: number;
  prefix: string;
  kept: number | null;
  counted: number | null;
}

/** The buckets that differ from a count of the scores themselves: none, unless the triggers were bypassed. */
export function leaderboardBucketDrift(manager: EntityManager): Promise<BucketDrift[]> {
  return manager.query(
    `WITH kept AS (SELECT "leaderboardId", "periodKey", level, prefix, members FROM leaderboard_score_bucket WHERE members <> 0),
          counted AS (
            SELECT s."leaderboardId", s."periodKey", l.level, ${prefixAt('s.score')} AS prefix, count(*)::int AS members
              FROM leaderboard_score s CROSS JOIN ${levels}
             WHERE s.score > 0 AND ${prefixAt('s.score')} & 255 <> 0
             GROUP BY 1, 2, 3, 4)
     SELECT "leaderboardId", "periodKey", level, prefix, kept.members AS kept, counted.members AS counted
       FROM kept FULL JOIN counted USING ("leaderboardId", "periodKey", level, prefix)
      WHERE kept.members IS DISTINCT FROM counted.members
      ORDER BY 1, 2, 3, 4`,
  );
}
