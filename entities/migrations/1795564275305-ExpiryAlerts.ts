import { MigrationInterface, QueryRunner } from "typeorm";

export class ExpiryAlerts1795564275305 implements MigrationInterface {
    name = 'ExpiryAlerts1795564275305'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "expiry_alert" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "lotId" uuid NOT NULL,
                "daysAhead" integer NOT NULL,
                "memberId" uuid NOT NULL,
                "sentAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "expiry_alert_once_per_lot" UNIQUE ("lotId", "daysAhead"),
                CONSTRAINT "PK_6e5c50cd43e1b2c2f375ef9dba4" PRIMARY KEY ("id")
            )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TABLE "expiry_alert"
        `);
    }

}
