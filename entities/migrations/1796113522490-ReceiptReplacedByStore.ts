import { MigrationInterface, QueryRunner } from "typeorm";

export class ReceiptReplacedByStore1796113522490 implements MigrationInterface {
    name = 'ReceiptReplacedByStore1796113522490'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "receipt"
            ADD "replacedByEventId" uuid
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
            ALTER TABLE "receipt" DROP COLUMN "replacedByEventId"
        `);
    }

}
