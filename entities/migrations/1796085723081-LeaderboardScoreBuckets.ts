import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The buckets of the scores (entities/leaderboard.ts, LeaderboardScoreBucket) a member's rank is
 * summed from, and the triggers that keep them: every statement that writes `leaderboard_score`
 * (an event's points, a refund, a merge, a challenge's recount, anything later) changes its
 * buckets in its own transaction. Statement triggers, so that one statement's rows change their
 * buckets in one batch, net (a score moved within a bucket writes nothing) and in key order: two
 * transactions take the rows they share in the same order and cannot deadlock on them.
 */
// The buckets of the positive scores in `scores` (leaderboardId, periodKey, score, delta): levels
// 0 to 7 of 8 bits (a bigint's 63), leaving out the buckets whose last 8 bits are 0.
const buckets = (scores: string) => `
    SELECT s."leaderboardId", s."periodKey", l.level, s.score >> (8 * l.level) AS prefix, s.delta
      FROM (${scores}) s CROSS JOIN generate_series(0, 7) AS l(level)
     WHERE s.score > 0 AND (s.score >> (8 * l.level)) & 255 <> 0`;
const added = (scores: string) => `
    INSERT INTO leaderboard_score_bucket ("leaderboardId", "periodKey", level, prefix, members)
    SELECT "leaderboardId", "periodKey", level, prefix, sum(delta) FROM (${buckets(scores)}) b
     GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT ("leaderboardId", "periodKey", level, prefix) DO UPDATE SET members = leaderboard_score_bucket.members + EXCLUDED.members`;
const columns = `"leaderboardId", "periodKey", score`;

export class LeaderboardScoreBuckets1796085723081 implements MigrationInterface {
    name = 'LeaderboardScoreBuckets1796085723081'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "leaderboard_score_bucket" (
                "leaderboardId" uuid NOT NULL,
                "periodKey" text NOT NULL,
                "level" smallint NOT NULL,
                "prefix" bigint NOT NULL,
                "members" integer NOT NULL,
                CONSTRAINT "PK_0f900423cc8db04d8140bfa6325" PRIMARY KEY ("leaderboardId", "periodKey", "level", "prefix")
            )
        `);
        // Written by hand: the triggers that keep the buckets.
        await queryRunner.query(`
            CREATE FUNCTION leaderboard_score_buckets_kept() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                ${added(`SELECT ${columns}, 1 AS delta FROM new_scores`)};
              ELSIF TG_OP = 'UPDATE' THEN
                ${added(`SELECT ${columns}, -1 AS delta FROM old_scores UNION ALL SELECT ${columns}, 1 FROM new_scores`)};
              ELSIF TG_OP = 'DELETE' THEN
                ${added(`SELECT ${columns}, -1 AS delta FROM old_scores`)};
              ELSE
                TRUNCATE leaderboard_score_bucket;
              END IF;
              RETURN NULL;
            END
            $fn$
        `);
        await queryRunner.query(`
            CREATE TRIGGER leaderboard_score_buckets_inserted AFTER INSERT ON "leaderboard_score"
            REFERENCING NEW TABLE AS new_scores FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_score_buckets_kept()
        `);
        await queryRunner.query(`
            CREATE TRIGGER leaderboard_score_buckets_updated AFTER UPDATE ON "leaderboard_score"
            REFERENCING OLD TABLE AS old_scores NEW TABLE AS new_scores FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_score_buckets_kept()
        `);
        await queryRunner.query(`
            CREATE TRIGGER leaderboard_score_buckets_deleted AFTER DELETE ON "leaderboard_score"
            REFERENCING OLD TABLE AS old_scores FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_score_buckets_kept()
        `);
        await queryRunner.query(`
            CREATE TRIGGER leaderboard_score_buckets_truncated AFTER TRUNCATE ON "leaderboard_score"
            FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_score_buckets_kept()
        `);
        // The scores kept so far, after the triggers: creating them locked the scores against writes
        // until this migration commits, so none is counted twice or missed.
        await queryRunner.query(added(`SELECT ${columns}, 1 AS delta FROM leaderboard_score`));
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        for (const event of ['inserted', 'updated', 'deleted', 'truncated']) {
            await queryRunner.query(`DROP TRIGGER leaderboard_score_buckets_${event} ON "leaderboard_score"`);
        }
        await queryRunner.query(`DROP FUNCTION leaderboard_score_buckets_kept()`);
        await queryRunner.query(`
            DROP TABLE "leaderboard_score_bucket"
        `);
    }

}
