import { MigrationInterface, QueryRunner } from "typeorm";

export class CampaignBoosterPoints1795999991127 implements MigrationInterface {
    name = 'CampaignBoosterPoints1795999991127'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "member_event"
            ADD "byBooster" jsonb NOT NULL DEFAULT '[]'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "member_event" DROP COLUMN "byBooster"
        `);
    }

}
