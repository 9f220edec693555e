import { MigrationInterface, QueryRunner } from "typeorm";

export class MemberErasures1795982766043 implements MigrationInterface {
    name = 'MemberErasures1795982766043'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "erasure_request" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberId" uuid NOT NULL,
                "reason" text NOT NULL,
                "status" text NOT NULL DEFAULT 'awaiting_approval',
                "requestedBy" text NOT NULL,
                "decidedBy" text,
                "erasureId" uuid,
                "requestedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "decidedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_0c34e095458940f9fb9619f92de" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_bf33a5ad12b8bfb021d2a85c24" ON "erasure_request" ("memberId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "erasure_request_waiting" ON "erasure_request" ("memberId")
            WHERE "status" = 'awaiting_approval'
        `);
        await queryRunner.query(`
            CREATE TABLE "member_erasure" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberId" uuid NOT NULL,
                "requestedBy" text NOT NULL,
                "approvedBy" text,
                "reason" text NOT NULL,
                "pointsForfeited" bigint NOT NULL,
                "forfeitedTo" text NOT NULL,
                "byFunder" jsonb NOT NULL DEFAULT '[]',
                "erasedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_9f31cb6cf18bcd0b7c511d3c2f7" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_f9e12afd852e3158da6c2d5af6" ON "member_erasure" ("memberId")
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "erasureForfeiture" text NOT NULL DEFAULT 'breakage'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD CONSTRAINT "program_settings_erasure_forfeiture" CHECK ("erasureForfeiture" IN ('breakage', 'funders'))
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP CONSTRAINT "program_settings_erasure_forfeiture"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "erasureForfeiture"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_f9e12afd852e3158da6c2d5af6"
        `);
        await queryRunner.query(`
            DROP TABLE "member_erasure"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."erasure_request_waiting"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_bf33a5ad12b8bfb021d2a85c24"
        `);
        await queryRunner.query(`
            DROP TABLE "erasure_request"
        `);
    }

}
