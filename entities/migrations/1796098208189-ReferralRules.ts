import { MigrationInterface, QueryRunner } from "typeorm";

export class ReferralRules1796098208189 implements MigrationInterface {
    name = 'ReferralRules1796098208189'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "referralMinimumCents" bigint NOT NULL DEFAULT '1000'
        `);
        await queryRunner.query(`
            ALTER TABLE "member_referral"
            ADD "status" text NOT NULL DEFAULT 'joined'
        `);
        // Referrals that qualified before the status existed say so.
        await queryRunner.query(`
            UPDATE "member_referral" SET "status" = 'qualified' WHERE "qualifyingEventId" IS NOT NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD CONSTRAINT "program_settings_referral_minimum" CHECK ("referralMinimumCents" >= 1)
        `);
        await queryRunner.query(`
            ALTER TABLE "member_referral"
            ADD CONSTRAINT "member_referral_status" CHECK (
                    "status" IN ('joined', 'qualified', 'same_person')
                )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "member_referral" DROP CONSTRAINT "member_referral_status"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP CONSTRAINT "program_settings_referral_minimum"
        `);
        await queryRunner.query(`
            ALTER TABLE "member_referral" DROP COLUMN "status"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "referralMinimumCents"
        `);
    }

}
