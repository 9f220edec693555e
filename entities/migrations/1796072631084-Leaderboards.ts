import { MigrationInterface, QueryRunner } from "typeorm";

export class Leaderboards1796072631084 implements MigrationInterface {
    name = 'Leaderboards1796072631084'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "leaderboard" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "description" text NOT NULL DEFAULT '',
                "partnerId" uuid,
                "metric" text NOT NULL,
                "challengeId" uuid,
                "period" text NOT NULL,
                "timeZone" text NOT NULL DEFAULT 'UTC',
                "startsAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "endsAt" TIMESTAMP WITH TIME ZONE,
                "segmentId" uuid,
                "companyId" uuid,
                "prizes" jsonb NOT NULL DEFAULT '[]',
                "fundingPartnerId" uuid,
                "status" text NOT NULL DEFAULT 'draft',
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "leaderboard_challenge_metric" CHECK (
                    ("metric" = 'challenge') = ("challengeId" IS NOT NULL)
                ),
                CONSTRAINT "PK_76fd1d52cf44d209920f73f4608" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "leaderboard_live" ON "leaderboard" ("status")
            WHERE "status" = 'live'
        `);
        // Written by hand: web processes cache the live leaderboards with the program's configuration (1796023002824).
        await queryRunner.query(`
            CREATE TRIGGER configuration_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "leaderboard"
            FOR EACH STATEMENT EXECUTE FUNCTION tessera_configuration_changed()
        `);
        await queryRunner.query(`
            CREATE TABLE "leaderboard_score" (
                "leaderboardId" uuid NOT NULL,
                "periodKey" text NOT NULL,
                "memberId" uuid NOT NULL,
                "score" bigint NOT NULL,
                "reachedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_f48b30cc1312c3bc54b054095b3" PRIMARY KEY ("leaderboardId", "periodKey", "memberId")
            )
        `);
        // Written here (TypeORM cannot declare a descending column): the top N in ranking order is an
        // index scan, a member's rank an index-only count of the scores above theirs.
        await queryRunner.query(`
            CREATE INDEX "leaderboard_score_ranking" ON "leaderboard_score" ("leaderboardId", "periodKey", "score" DESC, "reachedAt", "memberId")
        `);
        await queryRunner.query(`
            CREATE TABLE "leaderboard_contribution" (
                "eventId" uuid NOT NULL,
                "leaderboardId" uuid NOT NULL,
                "periodKey" text NOT NULL,
                "memberId" uuid NOT NULL,
                "amount" bigint NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_0871c7c7641bd5754a585f23a6a" PRIMARY KEY ("eventId", "leaderboardId")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "leaderboard_round" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "leaderboardId" uuid NOT NULL,
                "periodKey" text NOT NULL,
                "endsAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "frozenAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "leaderboard_round_period" UNIQUE ("leaderboardId", "periodKey"),
                CONSTRAINT "PK_52049a12de826492a8603183d11" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "leaderboard_standing" (
                "roundId" uuid NOT NULL,
                "position" integer NOT NULL,
                "memberId" uuid NOT NULL,
                "rank" integer NOT NULL,
                "score" bigint NOT NULL,
                "reachedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "prizePoints" bigint NOT NULL DEFAULT '0',
                "prizeTransferId" uuid,
                CONSTRAINT "leaderboard_standing_position_positive" CHECK ("position" > 0),
                CONSTRAINT "PK_b02c4ef62c56110993b5e8626a5" PRIMARY KEY ("roundId", "position")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "leaderboard_standing_member" ON "leaderboard_standing" ("memberId")
        `);
        await queryRunner.query(`
            CREATE TABLE "leaderboard_name_consent" (
                "memberId" uuid NOT NULL,
                "givenAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_eeabc9f129bb099784fedddd311" PRIMARY KEY ("memberId")
            )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TABLE "leaderboard_name_consent"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."leaderboard_standing_member"
        `);
        await queryRunner.query(`
            DROP TABLE "leaderboard_standing"
        `);
        await queryRunner.query(`
            DROP TABLE "leaderboard_round"
        `);
        await queryRunner.query(`
            DROP TABLE "leaderboard_contribution"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."leaderboard_score_ranking"
        `);
        await queryRunner.query(`
            DROP TABLE "leaderboard_score"
        `);
        await queryRunner.query(`
            DROP TRIGGER configuration_changed ON "leaderboard"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."leaderboard_live"
        `);
        await queryRunner.query(`
            DROP TABLE "leaderboard"
        `);
    }

}
