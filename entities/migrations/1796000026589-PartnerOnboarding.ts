import { MigrationInterface, QueryRunner } from "typeorm";

export class PartnerOnboarding1796000026589 implements MigrationInterface {
    name = 'PartnerOnboarding1796000026589'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "staff_invitation" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "staffUserId" uuid NOT NULL,
                "tokenHash" text,
                "expiresAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "sentAt" TIMESTAMP WITH TIME ZONE,
                "usedAt" TIMESTAMP WITH TIME ZONE,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_28552270b3658ba0e408d106e43" UNIQUE ("tokenHash"),
                CONSTRAINT "PK_8586bd3a7c4130502b6a8baa982" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice"
            ADD "vatRatePercent" numeric(5, 2) NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "invoiceIssuer" text NOT NULL DEFAULT 'Tessera'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "vatRatePercent" numeric(5, 2) NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD CONSTRAINT "program_settings_vat_rate" CHECK (
                    "vatRatePercent" BETWEEN 0 AND 100
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "staff_invitation"
            ADD CONSTRAINT "FK_4f8816274e5db9daedb4a3f339d" FOREIGN KEY ("staffUserId") REFERENCES "staff_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "staff_invitation" DROP CONSTRAINT "FK_4f8816274e5db9daedb4a3f339d"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP CONSTRAINT "program_settings_vat_rate"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "vatRatePercent"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "invoiceIssuer"
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice" DROP COLUMN "vatRatePercent"
        `);
        await queryRunner.query(`
            DROP TABLE "staff_invitation"
        `);
    }

}
