import { MigrationInterface, QueryRunner } from "typeorm";

export class WidgetSecret1795561188946 implements MigrationInterface {
    name = 'WidgetSecret1795561188946'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "widgetSecret" text NOT NULL DEFAULT replace(
                    gen_random_uuid()::text || gen_random_uuid()::text,
                    '-',
                    ''
                )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "widgetSecret"
        `);
    }

}
