import { MigrationInterface, QueryRunner } from "typeorm";

export class StoreCredit1796011775725 implements MigrationInterface {
    name = 'StoreCredit1796011775725'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."IDX_e1e8ec7a7ede1dbd9fbaede9be"
        `);
        await queryRunner.query(`
            CREATE TABLE "credit_program" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "ownerPartnerId" uuid,
                "currency" text NOT NULL,
                "partnerIds" uuid array NOT NULL DEFAULT '{}',
                "cashbackPercent" numeric(6, 3),
                "cashbackFixedMinor" integer,
                "active" boolean NOT NULL DEFAULT true,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_eddebf0455a18980449158c2fec" UNIQUE ("name"),
                CONSTRAINT "credit_program_currency_code" CHECK ("currency" ~ '^[A-Z]{3}$'),
                CONSTRAINT "credit_program_one_cashback" CHECK (
                    ("cashbackPercent" IS NULL) <> ("cashbackFixedMinor" IS NULL)
                ),
                CONSTRAINT "PK_569e907d137ac77e8f20ff682bd" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "exchange_rate" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "fromCurrency" text NOT NULL,
                "toCurrency" text NOT NULL,
                "rate" numeric(18, 8) NOT NULL,
                "validFrom" TIMESTAMP WITH TIME ZONE NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "exchange_rate_pair_date" UNIQUE ("fromCurrency", "toCurrency", "validFrom"),
                CONSTRAINT "exchange_rate_codes" CHECK (
                    "fromCurrency" ~ '^[A-Z]{3}$'
                    AND "toCurrency" ~ '^[A-Z]{3}$'
                    AND "fromCurrency" <> "toCurrency"
                ),
                CONSTRAINT "exchange_rate_positive" CHECK ("rate" > 0),
                CONSTRAINT "PK_5c5d27d2b900ef6cdeef0398472" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account"
            ADD "unit" text NOT NULL DEFAULT 'points'
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account"
            ADD "creditProgramId" uuid
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "ledger_account_member_credit" ON "ledger_account" ("memberId", "creditProgramId")
            WHERE "memberId" IS NOT NULL
                AND "creditProgramId" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "ledger_account_member_unit" ON "ledger_account" ("memberId", "unit")
            WHERE "memberId" IS NOT NULL
                AND "creditProgramId" IS NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account"
            ADD CONSTRAINT "ledger_account_unit_known" CHECK (
                    "unit" = 'points'
                    OR "unit" ~ '^[A-Z]{3}$'
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "credit_program"
            ADD CONSTRAINT "FK_b8b48057c3718af0ab1db00e43f" FOREIGN KEY ("ownerPartnerId") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "credit_program" DROP CONSTRAINT "FK_b8b48057c3718af0ab1db00e43f"
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account" DROP CONSTRAINT "ledger_account_unit_known"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ledger_account_member_unit"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ledger_account_member_credit"
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account" DROP COLUMN "creditProgramId"
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account" DROP COLUMN "unit"
        `);
        await queryRunner.query(`
            DROP TABLE "exchange_rate"
        `);
        await queryRunner.query(`
            DROP TABLE "credit_program"
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_e1e8ec7a7ede1dbd9fbaede9be" ON "ledger_account" ("memberId")
            WHERE ("memberId" IS NOT NULL)
        `);
    }

}
