import { MigrationInterface, QueryRunner } from "typeorm";

export class CreditProgramOfAccount1796016880395 implements MigrationInterface {
    name = 'CreditProgramOfAccount1796016880395'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "ledger_account"
            ADD CONSTRAINT "FK_278b799631cf818cb58bda0662b" FOREIGN KEY ("creditProgramId") REFERENCES "credit_program"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "ledger_account" DROP CONSTRAINT "FK_278b799631cf818cb58bda0662b"
        `);
    }

}
