import { MigrationInterface, QueryRunner } from "typeorm";

export class RedemptionOrders1795564473623 implements MigrationInterface {
    name = 'RedemptionOrders1795564473623'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "redemption"
            ADD "supplierOrderId" text
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption"
            ADD "orderedAt" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption"
            ADD "outcome" text
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "redemption" DROP COLUMN "outcome"
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption" DROP COLUMN "orderedAt"
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption" DROP COLUMN "supplierOrderId"
        `);
    }

}
