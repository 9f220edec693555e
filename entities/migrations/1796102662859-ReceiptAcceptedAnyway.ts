import { MigrationInterface, QueryRunner } from "typeorm";

export class ReceiptAcceptedAnyway1796102662859 implements MigrationInterface {
    name = 'ReceiptAcceptedAnyway1796102662859'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "receipt"
            ADD "acceptedAnywayReason" text
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "receipt" DROP COLUMN "acceptedAnywayReason"
        `);
    }

}
