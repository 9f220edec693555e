import { MigrationInterface, QueryRunner } from "typeorm";

export class MemberSpending1795982295289 implements MigrationInterface {
    name = 'MemberSpending1795982295289'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "member_link_removal" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberId" uuid NOT NULL,
                "partnerId" uuid NOT NULL,
                "customerId" text NOT NULL,
                "linkCause" text NOT NULL,
                "linkedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "requestedBy" text NOT NULL,
                "removedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_0257bf28d3af424f45162f7cdeb" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_82a58b1705ceb53676ec4965f5" ON "member_link_removal" ("memberId")
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption"
            ADD "shipToName" text
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption"
            ADD "shipToStreet" text
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption"
            ADD "shipToPostalCode" text
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption"
            ADD "shipToCity" text
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption"
            ADD "shipToCountry" text
        `);
        await queryRunner.query(`
            ALTER TABLE "reward"
            ADD "category" text
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "reward" DROP COLUMN "category"
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption" DROP COLUMN "shipToCountry"
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption" DROP COLUMN "shipToCity"
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption" DROP COLUMN "shipToPostalCode"
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption" DROP COLUMN "shipToStreet"
        `);
        await queryRunner.query(`
            ALTER TABLE "redemption" DROP COLUMN "shipToName"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_82a58b1705ceb53676ec4965f5"
        `);
        await queryRunner.query(`
            DROP TABLE "member_link_removal"
        `);
    }

}
