import { MigrationInterface, QueryRunner } from "typeorm";

export class CompanyAccounts1795982118392 implements MigrationInterface {
    name = 'CompanyAccounts1795982118392'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "company" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "memberId" uuid NOT NULL,
                "createdBy" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_a76c5cd486f7779bd9c319afd27" UNIQUE ("name"),
                CONSTRAINT "PK_056f7854a7afdba7cbd6d45fc20" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_d7963fc77b7b7152b7fe3e89a8" ON "company" ("memberId")
        `);
        await queryRunner.query(`
            CREATE TABLE "company_manager" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "companyId" uuid NOT NULL,
                "memberId" uuid NOT NULL,
                "namedBy" text NOT NULL,
                "namedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "company_manager_once" UNIQUE ("companyId", "memberId"),
                CONSTRAINT "PK_23ea1c9c0b98714580db46afb98" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_ea80c9f54bae1845e9f5e9cb05" ON "company_manager" ("memberId")
        `);
        await queryRunner.query(`
            CREATE TABLE "company_employee" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "companyId" uuid NOT NULL,
                "address" text NOT NULL,
                "channel" text NOT NULL,
                "memberId" uuid,
                "addedBy" uuid NOT NULL,
                "addedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "removedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "company_employee_address" UNIQUE ("companyId", "address"),
                CONSTRAINT "PK_c1d4de4d993c8734c1145397238" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_2c4e67a27b61c8f2ecce998581" ON "company_employee" ("memberId")
        `);
        await queryRunner.query(`
            CREATE TABLE "company_funding" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "companyId" uuid NOT NULL,
                "partnerId" uuid,
                "points" bigint NOT NULL,
                "reason" text NOT NULL,
                "reference" text NOT NULL,
                "transferId" uuid NOT NULL,
                "fundedBy" text NOT NULL,
                "fundedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "company_funding_reference" UNIQUE ("companyId", "reference"),
                CONSTRAINT "PK_6e420ab6daeef837653af84d70e" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_016040255bc4803b2d7bb86868" ON "company_funding" ("companyId")
        `);
        await queryRunner.query(`
            ALTER TABLE "company"
            ADD CONSTRAINT "FK_d7963fc77b7b7152b7fe3e89a8c" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "company_manager"
            ADD CONSTRAINT "FK_ffa6a5c4bfbc6feec5a59ca241e" FOREIGN KEY ("companyId") REFERENCES "company"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "company_manager"
            ADD CONSTRAINT "FK_ea80c9f54bae1845e9f5e9cb05c" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "company_employee"
            ADD CONSTRAINT "FK_2e4fc80abe6a46eecdbbc87201a" FOREIGN KEY ("companyId") REFERENCES "company"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "company_employee"
            ADD CONSTRAINT "FK_2c4e67a27b61c8f2ecce9985811" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "company_funding"
            ADD CONSTRAINT "FK_016040255bc4803b2d7bb868682" FOREIGN KEY ("companyId") REFERENCES "company"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "company_funding"
            ADD CONSTRAINT "FK_3370408955be3660ae7abc0f3af" FOREIGN KEY ("partnerId") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "company_funding" DROP CONSTRAINT "FK_3370408955be3660ae7abc0f3af"
        `);
        await queryRunner.query(`
            ALTER TABLE "company_funding" DROP CONSTRAINT "FK_016040255bc4803b2d7bb868682"
        `);
        await queryRunner.query(`
            ALTER TABLE "company_employee" DROP CONSTRAINT "FK_2c4e67a27b61c8f2ecce9985811"
        `);
        await queryRunner.query(`
            ALTER TABLE "company_employee" DROP CONSTRAINT "FK_2e4fc80abe6a46eecdbbc87201a"
        `);
        await queryRunner.query(`
            ALTER TABLE "company_manager" DROP CONSTRAINT "FK_ea80c9f54bae1845e9f5e9cb05c"
        `);
        await queryRunner.query(`
            ALTER TABLE "company_manager" DROP CONSTRAINT "FK_ffa6a5c4bfbc6feec5a59ca241e"
        `);
        await queryRunner.query(`
            ALTER TABLE "company" DROP CONSTRAINT "FK_d7963fc77b7b7152b7fe3e89a8c"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_016040255bc4803b2d7bb86868"
        `);
        await queryRunner.query(`
            DROP TABLE "company_funding"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_2c4e67a27b61c8f2ecce998581"
        `);
        await queryRunner.query(`
            DROP TABLE "company_employee"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_ea80c9f54bae1845e9f5e9cb05"
        `);
        await queryRunner.query(`
            DROP TABLE "company_manager"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_d7963fc77b7b7152b7fe3e89a8"
        `);
        await queryRunner.query(`
            DROP TABLE "company"
        `);
    }

}
