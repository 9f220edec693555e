import { MigrationInterface, QueryRunner } from "typeorm";

export class RefundsDebtsAndEventTime1795967355738 implements MigrationInterface {
    name = 'RefundsDebtsAndEventTime1795967355738'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "event_refund" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "eventId" uuid NOT NULL,
                "partnerId" uuid NOT NULL,
                "lines" jsonb NOT NULL DEFAULT '[]',
                "refundedCents" integer NOT NULL,
                "pointsReversed" bigint NOT NULL,
                "bonusPointsReversed" bigint NOT NULL DEFAULT '0',
                "pointsOwed" bigint NOT NULL DEFAULT '0',
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_b7d6844f02087da700b1e6cb8de" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_85d16851a33a65f76bba476d9a" ON "event_refund" ("eventId")
        `);
        // Refunds made before: one record per refunded event (its lines when refunded in full,
        // which is all that was known), so later refunds count against them.
        await queryRunner.query(`
            INSERT INTO "event_refund" ("eventId", "partnerId", "lines", "refundedCents", "pointsReversed", "createdAt")
            SELECT e.id, e."partnerId",
                   CASE WHEN e."refundedCents" >= e."amountCents"
                        THEN (SELECT COALESCE(jsonb_agg(jsonb_build_object('reference', l->>'reference', 'quantity', (l->>'quantity')::int)), '[]')
                                FROM jsonb_array_elements(e.lines) l)
                        ELSE '[]' END,
                   e."refundedCents",
                   COALESCE((SELECT SUM(r.amount) FROM ledger_transfer r WHERE r."reversesTransferId" = e."earnTransferId"), 0),
                   e."recordedAt"
              FROM member_event e WHERE e."refundedCents" > 0
        `);
        await queryRunner.query(`
            CREATE TABLE "points_debt" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberAccountId" uuid NOT NULL,
                "transferId" uuid NOT NULL,
                "refundId" uuid NOT NULL,
                "owed" bigint NOT NULL,
                "points" bigint NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "points_debt_points_not_negative" CHECK (
                    "points" >= 0
                    AND "points" <= "owed"
                ),
                CONSTRAINT "PK_6cb640d12371a16308e51e1cece" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "points_debt_open" ON "points_debt" ("memberAccountId", "createdAt")
            WHERE "points" > 0
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "eventBackdateDays" integer NOT NULL DEFAULT '30'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "refundShortfall" text NOT NULL DEFAULT 'debt'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD CONSTRAINT "program_settings_backdate_days" CHECK (
                    "eventBackdateDays" BETWEEN 0 AND 366
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD CONSTRAINT "program_settings_refund_shortfall" CHECK ("refundShortfall" IN ('debt', 'refuse'))
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP CONSTRAINT "program_settings_refund_shortfall"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP CONSTRAINT "program_settings_backdate_days"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "refundShortfall"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "eventBackdateDays"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."points_debt_open"
        `);
        await queryRunner.query(`
            DROP TABLE "points_debt"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_85d16851a33a65f76bba476d9a"
        `);
        await queryRunner.query(`
            DROP TABLE "event_refund"
        `);
    }

}
