import { MigrationInterface, QueryRunner } from "typeorm";

export class Challenges1796061372123 implements MigrationInterface {
    name = 'Challenges1796061372123'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "challenge" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "description" text NOT NULL DEFAULT '',
                "partnerId" uuid,
                "metric" text NOT NULL,
                "category" text,
                "target" bigint NOT NULL,
                "period" text NOT NULL,
                "timeZone" text NOT NULL DEFAULT 'UTC',
                "startsAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "endsAt" TIMESTAMP WITH TIME ZONE,
                "segmentId" uuid,
                "rewardPoints" bigint NOT NULL,
                "fundingPartnerId" uuid,
                "status" text NOT NULL DEFAULT 'draft',
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "challenge_reward_positive" CHECK ("rewardPoints" > 0),
                CONSTRAINT "challenge_target_positive" CHECK ("target" > 0),
                CONSTRAINT "PK_5f31455ad09ea6a836a06871b7a" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "challenge_live" ON "challenge" ("status")
            WHERE "status" = 'live'
        `);
        await queryRunner.query(`
            CREATE TABLE "challenge_progress" (
                "challengeId" uuid NOT NULL,
                "memberId" uuid NOT NULL,
                "periodKey" text NOT NULL,
                "value" bigint NOT NULL DEFAULT '0',
                "completedAt" TIMESTAMP WITH TIME ZONE,
                "rewardTransferId" uuid,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_fea45d68abda56eb295aa427c00" PRIMARY KEY ("challengeId", "memberId", "periodKey")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "challenge_progress_member" ON "challenge_progress" ("memberId")
        `);
        await queryRunner.query(`
            CREATE TABLE "challenge_contribution" (
                "eventId" uuid NOT NULL,
                "challengeId" uuid NOT NULL,
                "memberId" uuid NOT NULL,
                "periodKey" text NOT NULL,
                "partnerId" uuid NOT NULL,
                "amount" bigint NOT NULL,
                "withdrawnAt" TIMESTAMP WITH TIME ZONE,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_96a29d2b744e0e258c212503809" PRIMARY KEY ("eventId", "challengeId")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "challenge_contribution_progress" ON "challenge_contribution" ("challengeId", "memberId", "periodKey")
        `);
        // Written by hand: web processes cache the live challenges with the program's configuration (1796023002824).
        await queryRunner.query(`
            CREATE TRIGGER configuration_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "challenge"
            FOR EACH STATEMENT EXECUTE FUNCTION tessera_configuration_changed()
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TRIGGER configuration_changed ON "challenge"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."challenge_contribution_progress"
        `);
        await queryRunner.query(`
            DROP TABLE "challenge_contribution"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."challenge_progress_member"
        `);
        await queryRunner.query(`
            DROP TABLE "challenge_progress"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."challenge_live"
        `);
        await queryRunner.query(`
            DROP TABLE "challenge"
        `);
    }

}
