import { MigrationInterface, QueryRunner } from "typeorm";

export class InstantWins1796073140960 implements MigrationInterface {
    name = 'InstantWins1796073140960'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "instant_win_campaign" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "partnerId" uuid,
                "startsAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "endsAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "segmentId" uuid,
                "mode" text NOT NULL,
                "winChancePpm" integer,
                "winningTimeCount" integer,
                "momentsWon" integer NOT NULL DEFAULT '0',
                "prizePoints" bigint NOT NULL,
                "prizeBudget" integer,
                "pointsBudget" bigint,
                "prizesWon" integer NOT NULL DEFAULT '0',
                "pointsWon" bigint NOT NULL DEFAULT '0',
                "drawCount" integer NOT NULL DEFAULT '0',
                "fundingPartnerId" uuid,
                "seed" text NOT NULL,
                "seedCommitment" text NOT NULL,
                "status" text NOT NULL DEFAULT 'draft',
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "instant_win_has_budget" CHECK (
                    "prizeBudget" IS NOT NULL
                    OR "pointsBudget" IS NOT NULL
                ),
                CONSTRAINT "instant_win_times" CHECK (
                    "winningTimeCount" IS NULL
                    OR "winningTimeCount" BETWEEN 1 AND 10000
                ),
                CONSTRAINT "instant_win_points_budget" CHECK (
                    "pointsBudget" IS NULL
                    OR "pointsWon" <= "pointsBudget"
                ),
                CONSTRAINT "instant_win_prize_budget" CHECK (
                    "prizeBudget" IS NULL
                    OR "prizesWon" <= "prizeBudget"
                ),
                CONSTRAINT "instant_win_chance" CHECK (
                    "winChancePpm" IS NULL
                    OR "winChancePpm" BETWEEN 1 AND 1000000
                ),
                CONSTRAINT "instant_win_window" CHECK ("endsAt" > "startsAt"),
                CONSTRAINT "instant_win_prize_positive" CHECK ("prizePoints" > 0),
                CONSTRAINT "PK_653e0eef8d2dee71981fb907512" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "instant_win_campaign_live" ON "instant_win_campaign" ("status")
            WHERE "status" = 'live'
        `);
        await queryRunner.query(`
            CREATE TABLE "instant_win_draw" (
                "campaignId" uuid NOT NULL,
                "eventId" uuid NOT NULL,
                "drawNumber" integer NOT NULL,
                "memberId" uuid NOT NULL,
                "drawnAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "randomValue" double precision NOT NULL,
                "outcome" text NOT NULL,
                "prizePoints" bigint NOT NULL,
                "transferId" uuid,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "instant_win_draw_number" UNIQUE ("campaignId", "drawNumber"),
                CONSTRAINT "PK_a61db46a0c6e97852f685c52f4d" PRIMARY KEY ("campaignId", "eventId")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "instant_win_draw_member" ON "instant_win_draw" ("memberId")
        `);
        // Written by hand: web processes cache the live campaigns with the program's configuration (1796023002824).
        // Not on the draw counters, which every draw updates: a draw must not empty every process's cache.
        await queryRunner.query(`
            CREATE TRIGGER configuration_changed
            AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF "name", "partnerId", "startsAt", "endsAt", "segmentId", "mode",
                "winChancePpm", "winningTimeCount", "prizePoints", "prizeBudget", "pointsBudget", "fundingPartnerId", "status"
            ON "instant_win_campaign"
            FOR EACH STATEMENT EXECUTE FUNCTION tessera_configuration_changed()
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TRIGGER configuration_changed ON "instant_win_campaign"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."instant_win_draw_member"
        `);
        await queryRunner.query(`
            DROP TABLE "instant_win_draw"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."instant_win_campaign_live"
        `);
        await queryRunner.query(`
            DROP TABLE "instant_win_campaign"
        `);
    }

}
