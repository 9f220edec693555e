import { MigrationInterface, QueryRunner } from "typeorm";

export class EventRetention1796047590826 implements MigrationInterface {
    name = 'EventRetention1796047590826'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "eventRetentionMonths" integer NOT NULL DEFAULT '36'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD CONSTRAINT "program_settings_event_retention" CHECK ("eventRetentionMonths" >= 1)
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP CONSTRAINT "program_settings_event_retention"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "eventRetentionMonths"
        `);
    }

}
