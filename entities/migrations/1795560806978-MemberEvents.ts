import { MigrationInterface, QueryRunner } from "typeorm";

export class MemberEvents1795560806978 implements MigrationInterface {
    name = 'MemberEvents1795560806978'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "member_event" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "partnerId" uuid NOT NULL,
                "memberId" uuid NOT NULL,
                "type" text NOT NULL,
                "amountCents" integer,
                "currency" character(3),
                "lines" jsonb NOT NULL DEFAULT '[]',
                "channel" text,
                "pointOfSaleId" uuid,
                "occurredAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "points" integer NOT NULL,
                "bonusPoints" integer NOT NULL DEFAULT '0',
                "explanation" jsonb NOT NULL DEFAULT '[]',
                "byRule" jsonb NOT NULL DEFAULT '[]',
                "earnTransferId" uuid,
                "refundedCents" integer NOT NULL DEFAULT '0',
                "recordedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_b929b5a1abb08732a178abfd822" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_38f814df2e3603ebc53e6766bd" ON "member_event" ("partnerId")
        `);
        await queryRunner.query(`
            CREATE INDEX "member_event_member_time" ON "member_event" ("memberId", "occurredAt")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."member_event_member_time"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_38f814df2e3603ebc53e6766bd"
        `);
        await queryRunner.query(`
            DROP TABLE "member_event"
        `);
    }

}
