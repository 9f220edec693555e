import { MigrationInterface, QueryRunner } from "typeorm";

export class WidgetSecretMadeInCode1795562474244 implements MigrationInterface {
    name = 'WidgetSecretMadeInCode1795562474244'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ALTER COLUMN "widgetSecret" DROP NOT NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ALTER COLUMN "widgetSecret" DROP DEFAULT
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ALTER COLUMN "widgetSecret"
            SET DEFAULT replace(
                    ((gen_random_uuid()) || (gen_random_uuid())),
                    '-',
                    ''
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ALTER COLUMN "widgetSecret"
            SET NOT NULL
        `);
    }

}
