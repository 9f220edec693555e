import { MigrationInterface, QueryRunner } from "typeorm";

export class FulfilmentOrders1795970744634 implements MigrationInterface {
    name = 'FulfilmentOrders1795970744634'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "fulfilment_order" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "redemptionId" uuid NOT NULL,
                "supplier" text NOT NULL,
                "supplierOrderId" text NOT NULL,
                "state" text NOT NULL DEFAULT 'open',
                "orderedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "carrier" text,
                "trackingNumber" text,
                "failureReason" text,
                "reportedAt" TIMESTAMP WITH TIME ZONE,
                "reportedBy" text,
                "cancelledAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_3538352c85fdd312c36b0447396" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_26345b04c33b90e538408e59fa" ON "fulfilment_order" ("redemptionId")
        `);
        await queryRunner.query(`
            CREATE INDEX "fulfilment_order_open" ON "fulfilment_order" ("supplier", "orderedAt")
            WHERE state = 'open'
        `);
        // Orders placed before moved here. The fake supplier was the only one: what it still had open
        // was never sent to anyone, so it goes to the back office's queue for staff to ship.
        await queryRunner.query(`
            INSERT INTO "fulfilment_order" ("redemptionId", "supplier", "supplierOrderId", "state", "orderedAt", "reportedBy")
            SELECT r."id",
                   CASE WHEN r."status" = 'ordered' THEN 'manual' ELSE 'fake' END,
                   r."supplierOrderId",
                   CASE r."status" WHEN 'fulfilled' THEN 'shipped' WHEN 'cancelled' THEN 'cancelled' ELSE 'open' END,
                   COALESCE(r."orderedAt", r."createdAt"),
                   CASE WHEN r."status" = 'fulfilled' THEN 'the fake supplier' END
            FROM "redemption" r
            WHERE r."supplierOrderId" IS NOT NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption" DROP COLUMN "supplierOrderId"
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption" DROP COLUMN "orderedAt"
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "redemption"
            ADD "orderedAt" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption"
            ADD "supplierOrderId" text
        `);
        await queryRunner.query(`
            UPDATE "redemption" r SET "supplierOrderId" = o."supplierOrderId", "orderedAt" = o."orderedAt"
            FROM "fulfilment_order" o WHERE o."redemptionId" = r."id"
        `);
        // The earlier schema knows no redemption waiting for care: its points were given back.
        await queryRunner.query(`
            UPDATE "redemption" SET "status" = 'cancelled' WHERE "status" = 'needs_care'
        `);
        await queryRunner.query(`
            DROP INDEX "public"."fulfilment_order_open"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_26345b04c33b90e538408e59fa"
        `);
        await queryRunner.query(`
            DROP TABLE "fulfilment_order"
        `);
    }

}
