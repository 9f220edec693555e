import { MigrationInterface, QueryRunner } from "typeorm";

export class Referrals1796086973660 implements MigrationInterface {
    name = 'Referrals1796086973660'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "referral_code" (
                "memberId" uuid NOT NULL,
                "code" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_f246fd158bc769e9f7b2a6eb8a6" PRIMARY KEY ("memberId")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "referral_code_code" ON "referral_code" ("code")
        `);
        await queryRunner.query(`
            CREATE TABLE "member_referral" (
                "referredMemberId" uuid NOT NULL,
                "referrerMemberId" uuid NOT NULL,
                "partnerId" uuid NOT NULL,
                "qualifyingEventId" uuid,
                "qualifiedAt" TIMESTAMP WITH TIME ZONE,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_bb906b83d7b8f90a07748f9d4bc" PRIMARY KEY ("referredMemberId")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "member_referral_referrer" ON "member_referral" ("referrerMemberId")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."member_referral_referrer"
        `);
        await queryRunner.query(`
            DROP TABLE "member_referral"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."referral_code_code"
        `);
        await queryRunner.query(`
            DROP TABLE "referral_code"
        `);
    }

}
