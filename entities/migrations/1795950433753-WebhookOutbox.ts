import { MigrationInterface, QueryRunner } from "typeorm";

export class WebhookOutbox1795950433753 implements MigrationInterface {
    name = 'WebhookOutbox1795950433753'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "webhook_delivery"
            ADD "dispatchedAt" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_webhook_delivery_undispatched" ON "webhook_delivery" ("createdAt")
            WHERE "dispatchedAt" IS NULL
                AND "status" = 'pending'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."IDX_webhook_delivery_undispatched"
        `);
        await queryRunner.query(`
            ALTER TABLE "webhook_delivery" DROP COLUMN "dispatchedAt"
        `);
    }

}
