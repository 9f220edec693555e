import { MigrationInterface, QueryRunner } from "typeorm";

export class BadgesAndLevels1796072616731 implements MigrationInterface {
    name = 'BadgesAndLevels1796072616731'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "badge" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "description" text NOT NULL DEFAULT '',
                "partnerId" uuid,
                "emblem" text NOT NULL,
                "colour" text NOT NULL DEFAULT '#c27c0e',
                "rule" text NOT NULL,
                "threshold" integer,
                "status" text NOT NULL DEFAULT 'draft',
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "badge_colour_hex" CHECK ("colour" ~ '^#[0-9a-f]{6}$'),
                CONSTRAINT "badge_threshold_positive" CHECK (
                    "threshold" IS NULL
                    OR "threshold" > 0
                ),
                CONSTRAINT "PK_76b7011c864d4521a14a5196c49" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "badge_live" ON "badge" ("status")
            WHERE "status" = 'live'
        `);
        await queryRunner.query(`
            CREATE TABLE "member_badge" (
                "badgeId" uuid NOT NULL,
                "memberId" uuid NOT NULL,
                "awardedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "eventId" uuid,
                "challengeId" uuid,
                CONSTRAINT "PK_f7b26aab9c46b69a1baf1833027" PRIMARY KEY ("badgeId", "memberId")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "member_badge_member" ON "member_badge" ("memberId", "awardedAt")
        `);
        await queryRunner.query(`
            ALTER TABLE "tier"
            ADD "levelName" text
        `);
        await queryRunner.query(`
            ALTER TABLE "tier"
            ADD "levelEmblem" text
        `);
        await queryRunner.query(`
            ALTER TABLE "challenge"
            ADD "badgeId" uuid
        `);
        // Written by hand: web processes cache the live badges with the program's configuration (1796023002824).
        await queryRunner.query(`
            CREATE TRIGGER configuration_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "badge"
            FOR EACH STATEMENT EXECUTE FUNCTION tessera_configuration_changed()
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TRIGGER configuration_changed ON "badge"
        `);
        await queryRunner.query(`
            ALTER TABLE "challenge" DROP COLUMN "badgeId"
        `);
        await queryRunner.query(`
            ALTER TABLE "tier" DROP COLUMN "levelEmblem"
        `);
        await queryRunner.query(`
            ALTER TABLE "tier" DROP COLUMN "levelName"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."member_badge_member"
        `);
        await queryRunner.query(`
            DROP TABLE "member_badge"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."badge_live"
        `);
        await queryRunner.query(`
            DROP TABLE "badge"
        `);
    }

}
