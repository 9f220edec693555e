import { MigrationInterface, QueryRunner } from "typeorm";

export class MemberErasures1795981710923 implements MigrationInterface {
    name = 'MemberErasures1795981710923'

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
                "breakage" jsonb NOT NULL DEFAULT '[]',
                "erasedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_9f31cb6cf18bcd0b7c511d3c2f7" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_f9e12afd852e3158da6c2d5af6" ON "member_erasure" ("memberId")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
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
