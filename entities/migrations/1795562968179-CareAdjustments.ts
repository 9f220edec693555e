import { MigrationInterface, QueryRunner } from "typeorm";

export class CareAdjustments1795562968179 implements MigrationInterface {
    name = 'CareAdjustments1795562968179'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "care_adjustment" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberExternalId" text NOT NULL,
                "points" integer NOT NULL,
                "reason" text NOT NULL,
                "status" text NOT NULL DEFAULT 'requested',
                "requestedBy" text NOT NULL,
                "decidedBy" text,
                "transferId" uuid,
                "outcome" text,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "care_adjustment_points_not_zero" CHECK ("points" <> 0),
                CONSTRAINT "PK_f1f06b28cf24bf634736ffaf63f" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_362b4e7e0fce373e4f36913d0e" ON "care_adjustment" ("memberExternalId")
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "careApprovalThreshold" integer NOT NULL DEFAULT '500'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "careApprovalThreshold"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_362b4e7e0fce373e4f36913d0e"
        `);
        await queryRunner.query(`
            DROP TABLE "care_adjustment"
        `);
    }

}
