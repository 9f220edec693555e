import { MigrationInterface, QueryRunner } from "typeorm";

export class ProgramCurrency1796011458893 implements MigrationInterface {
    name = 'ProgramCurrency1796011458893'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "currency" text NOT NULL DEFAULT 'EUR'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "pointValueMinor" numeric(12, 4) NOT NULL DEFAULT '1'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD CONSTRAINT "program_settings_point_value" CHECK ("pointValueMinor" > 0)
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP CONSTRAINT "program_settings_point_value"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "pointValueMinor"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "currency"
        `);
    }

}
