import { MigrationInterface, QueryRunner } from "typeorm";

export class PartnerCampaigns1795999996039 implements MigrationInterface {
    name = 'PartnerCampaigns1795999996039'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "campaign"
            ADD "approvalRequestId" uuid
        `);
        await queryRunner.query(`
            ALTER TABLE "campaign"
            ADD "approvalRequestedBy" text
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "partnerCampaignMaxMultiplier" numeric(6, 2) NOT NULL DEFAULT '3'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "partnerCampaignMaxPointsPerUnit" numeric(8, 2) NOT NULL DEFAULT '10'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "partnerCampaignMaxPoints" bigint NOT NULL DEFAULT '1000'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "partnerCampaignsNeedApproval" boolean NOT NULL DEFAULT true
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD CONSTRAINT "program_settings_partner_campaign_guardrails" CHECK (
                    "partnerCampaignMaxMultiplier" >= 1
                    AND "partnerCampaignMaxPointsPerUnit" > 0
                    AND "partnerCampaignMaxPoints" >= 1
                )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP CONSTRAINT "program_settings_partner_campaign_guardrails"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "partnerCampaignsNeedApproval"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "partnerCampaignMaxPoints"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "partnerCampaignMaxPointsPerUnit"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "partnerCampaignMaxMultiplier"
        `);
        await queryRunner.query(`
            ALTER TABLE "campaign" DROP COLUMN "approvalRequestedBy"
        `);
        await queryRunner.query(`
            ALTER TABLE "campaign" DROP COLUMN "approvalRequestId"
        `);
    }

}
