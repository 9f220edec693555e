import { MigrationInterface, QueryRunner } from "typeorm";

export class BackOffice1795562278464 implements MigrationInterface {
    name = 'BackOffice1795562278464'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "audit_entry" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "staffUserId" uuid,
                "staffEmail" text NOT NULL,
                "action" text NOT NULL,
                "resource" text NOT NULL,
                "recordId" text,
                "before" jsonb,
                "after" jsonb,
                CONSTRAINT "PK_58a130a4b9da189f46ba2a01801" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_9d18bd4a32fc0cd8ff82b12037" ON "audit_entry" ("at")
        `);
        await queryRunner.query(`
            CREATE INDEX "audit_entry_resource_record" ON "audit_entry" ("resource", "recordId")
        `);
        await queryRunner.query(`
            ALTER TABLE "staff_user"
            ADD "failedSignIns" integer NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "staff_user"
            ADD "lockedUntil" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ALTER COLUMN "widgetSecret"
            SET DEFAULT replace(
                    gen_random_uuid()::text || gen_random_uuid()::text,
                    '-',
                    ''
                )
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
            ALTER TABLE "staff_user" DROP COLUMN "lockedUntil"
        `);
        await queryRunner.query(`
            ALTER TABLE "staff_user" DROP COLUMN "failedSignIns"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."audit_entry_resource_record"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_9d18bd4a32fc0cd8ff82b12037"
        `);
        await queryRunner.query(`
            DROP TABLE "audit_entry"
        `);
    }

}
