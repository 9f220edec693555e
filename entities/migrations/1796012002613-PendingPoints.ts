import { MigrationInterface, QueryRunner } from "typeorm";

export class PendingPoints1796012002613 implements MigrationInterface {
    name = 'PendingPoints1796012002613'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "campaign"
            ADD "pendingDays" integer
        `);
        await queryRunner.query(`
            ALTER TABLE "event_refund"
            ADD "pendingPointsCancelled" bigint NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "pendingDays" integer NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "campaign"
            ADD CONSTRAINT "campaign_pending_days" CHECK (
                    "pendingDays" IS NULL
                    OR "pendingDays" BETWEEN 0 AND 90
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD CONSTRAINT "program_settings_pending_days" CHECK (
                    "pendingDays" BETWEEN 0 AND 90
                )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP CONSTRAINT "program_settings_pending_days"
        `);
        await queryRunner.query(`
            ALTER TABLE "campaign" DROP CONSTRAINT "campaign_pending_days"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "pendingDays"
        `);
        await queryRunner.query(`
            ALTER TABLE "event_refund" DROP COLUMN "pendingPointsCancelled"
        `);
        await queryRunner.query(`
            ALTER TABLE "campaign" DROP COLUMN "pendingDays"
        `);
    }

}
