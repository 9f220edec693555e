import { MigrationInterface, QueryRunner } from "typeorm";

export class FundingAlerts1795565151874 implements MigrationInterface {
    name = 'FundingAlerts1795565151874'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "funding_alert" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "partnerId" uuid NOT NULL,
                "level" text NOT NULL,
                "available" integer NOT NULL,
                "sentAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "clearedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_df303e85e12b37da4348baa06aa" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "funding_alert_open_once" ON "funding_alert" ("partnerId", "level")
            WHERE "clearedAt" IS NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "partner"
            ADD "lowBalanceThreshold" integer NOT NULL DEFAULT '5000'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "partner" DROP COLUMN "lowBalanceThreshold"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."funding_alert_open_once"
        `);
        await queryRunner.query(`
            DROP TABLE "funding_alert"
        `);
    }

}
