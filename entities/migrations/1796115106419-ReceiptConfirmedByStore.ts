import { MigrationInterface, QueryRunner } from "typeorm";

export class ReceiptConfirmedByStore1796115106419 implements MigrationInterface {
    name = 'ReceiptConfirmedByStore1796115106419'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "receipt"
            ADD "confirmedByStoreAt" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            CREATE INDEX "receipt_event" ON "receipt" ("eventId")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."receipt_event"
        `);
        await queryRunner.query(`
            ALTER TABLE "receipt" DROP COLUMN "confirmedByStoreAt"
        `);
    }

}
