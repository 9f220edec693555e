import { MigrationInterface, QueryRunner } from "typeorm";

export class Settlement1796011830699 implements MigrationInterface {
    name = 'Settlement1796011830699'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "settlement_statement" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "period" text NOT NULL,
                "periodStart" TIMESTAMP WITH TIME ZONE NOT NULL,
                "periodEnd" TIMESTAMP WITH TIME ZONE NOT NULL,
                "party" text NOT NULL,
                "partnerId" uuid,
                "currency" character(3) NOT NULL,
                "clearingValueMinor" numeric(12, 4) NOT NULL,
                "breakageOperatorSharePercent" numeric(5, 2) NOT NULL,
                "issuedPoints" bigint NOT NULL,
                "issuedValueMinor" bigint NOT NULL,
                "redeemedAtPoints" bigint NOT NULL,
                "redeemedAtValueMinor" bigint NOT NULL,
                "redeemedElsewherePoints" bigint NOT NULL,
                "redeemedElsewhereValueMinor" bigint NOT NULL,
                "breakagePoints" bigint NOT NULL,
                "breakageValueMinor" bigint NOT NULL,
                "breakageOperatorShareMinor" bigint NOT NULL,
                "netMinor" bigint NOT NULL,
                "status" text NOT NULL DEFAULT 'computed',
                "emailedAt" TIMESTAMP WITH TIME ZONE,
                "emailedTo" text,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "settlement_statement_period_party" UNIQUE ("period", "party"),
                CONSTRAINT "settlement_statement_party_matches" CHECK (
                    "party" = COALESCE("partnerId"::text, 'operator')
                ),
                CONSTRAINT "PK_638b5a90faea246851fa07bba58" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_a08aa6b070cc18adb2d36e7689" ON "settlement_statement" ("period")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_69bd7840066e29f926ee59578a" ON "settlement_statement" ("partnerId")
        `);
        await queryRunner.query(`
            CREATE TABLE "settlement_line" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "statementId" uuid NOT NULL,
                "position" integer NOT NULL,
                "kind" text NOT NULL,
                "counterparty" text,
                "counterpartyPartnerId" uuid,
                "points" bigint NOT NULL,
                "valueMinor" bigint NOT NULL,
                "amountMinor" bigint NOT NULL,
                "transferIds" uuid array NOT NULL,
                CONSTRAINT "settlement_line_position" UNIQUE ("statementId", "position"),
                CONSTRAINT "PK_a31fbc8b0efd3c48bd30f7023db" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_2e1933cff472dee433488d4b5a" ON "settlement_line" ("statementId")
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "clearingValueMinor" numeric(12, 4)
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "breakageOperatorSharePercent" numeric(5, 2) NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "settlement_statement"
            ADD CONSTRAINT "FK_69bd7840066e29f926ee59578ac" FOREIGN KEY ("partnerId") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "settlement_line"
            ADD CONSTRAINT "FK_2e1933cff472dee433488d4b5a6" FOREIGN KEY ("statementId") REFERENCES "settlement_statement"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "settlement_line"
            ADD CONSTRAINT "FK_75ff667c80b86fd23e0fd640e71" FOREIGN KEY ("counterpartyPartnerId") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "settlement_line" DROP CONSTRAINT "FK_75ff667c80b86fd23e0fd640e71"
        `);
        await queryRunner.query(`
            ALTER TABLE "settlement_line" DROP CONSTRAINT "FK_2e1933cff472dee433488d4b5a6"
        `);
        await queryRunner.query(`
            ALTER TABLE "settlement_statement" DROP CONSTRAINT "FK_69bd7840066e29f926ee59578ac"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "breakageOperatorSharePercent"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "clearingValueMinor"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_2e1933cff472dee433488d4b5a"
        `);
        await queryRunner.query(`
            DROP TABLE "settlement_line"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_69bd7840066e29f926ee59578a"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_a08aa6b070cc18adb2d36e7689"
        `);
        await queryRunner.query(`
            DROP TABLE "settlement_statement"
        `);
    }

}
