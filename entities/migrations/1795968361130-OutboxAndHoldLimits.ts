import { MigrationInterface, QueryRunner } from "typeorm";

export class OutboxAndHoldLimits1795968361130 implements MigrationInterface {
    name = 'OutboxAndHoldLimits1795968361130'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."IDX_webhook_delivery_undispatched"
        `);
        await queryRunner.query(`
            CREATE TABLE "outbox_entry" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "process" text NOT NULL,
                "subjectId" uuid NOT NULL,
                "details" jsonb NOT NULL DEFAULT '{}',
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "dispatchedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "outbox_entry_once_per_subject" UNIQUE ("process", "subjectId"),
                CONSTRAINT "PK_cc1823a87798db5e4bf91f7ec7c" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "outbox_entry_undispatched" ON "outbox_entry" ("createdAt")
            WHERE "dispatchedAt" IS NULL
        `);
        // What was queued before moves to the outbox: deliveries not started, fulfilments and
        // approvals in flight (starting one that runs already is harmless: same workflow id).
        await queryRunner.query(`
            INSERT INTO "outbox_entry" ("process", "subjectId", "createdAt")
            SELECT 'webhook_delivery', id, "createdAt" FROM "webhook_delivery" WHERE "dispatchedAt" IS NULL AND status = 'pending'
        `);
        await queryRunner.query(`
            INSERT INTO "outbox_entry" ("process", "subjectId", "details", "createdAt")
            SELECT 'reward_fulfilment', r.id, jsonb_build_object('rewardCode', w.code), r."createdAt"
              FROM "redemption" r JOIN "reward" w ON w.id = r."rewardId" WHERE r.status IN ('awaiting_fulfilment', 'ordered')
        `);
        await queryRunner.query(`
            INSERT INTO "outbox_entry" ("process", "subjectId", "createdAt")
            SELECT 'care_approval', id, "createdAt" FROM "care_adjustment" WHERE status = 'awaiting_approval'
        `);
        await queryRunner.query(`
            ALTER TABLE "webhook_delivery" DROP COLUMN "dispatchedAt"
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_transfer"
            ADD "heldUntil" TIMESTAMP WITH TIME ZONE
        `);
        // Holds placed before had no limit: the redemption terms (16 days) from when they were placed,
        // each with its timeout process; one already past it goes back at the next daily run.
        await queryRunner.query(`
            UPDATE "ledger_transfer" p SET "heldUntil" = p."createdAt" + interval '16 days'
             WHERE p.phase = 'pending' AND NOT EXISTS (SELECT 1 FROM "ledger_transfer" r WHERE r."pendingTransferId" = p.id)
        `);
        await queryRunner.query(`
            INSERT INTO "outbox_entry" ("process", "subjectId", "details", "createdAt")
            SELECT 'hold_timeout', id, jsonb_build_object('expiresAt', to_char("heldUntil" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), "createdAt"
              FROM "ledger_transfer" WHERE "heldUntil" IS NOT NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_transfer"
            ADD CONSTRAINT "ledger_transfer_held_until_on_holds" CHECK (
                    "heldUntil" IS NULL
                    OR "phase" = 'pending'
                )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "ledger_transfer" DROP CONSTRAINT "ledger_transfer_held_until_on_holds"
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_transfer" DROP COLUMN "heldUntil"
        `);
        await queryRunner.query(`
            ALTER TABLE "webhook_delivery"
            ADD "dispatchedAt" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            DROP INDEX "public"."outbox_entry_undispatched"
        `);
        await queryRunner.query(`
            DROP TABLE "outbox_entry"
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_webhook_delivery_undispatched" ON "webhook_delivery" ("createdAt")
            WHERE (
                    ("dispatchedAt" IS NULL)
                    AND (status = 'pending'::text)
                )
        `);
    }

}
