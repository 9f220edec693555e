import { MigrationInterface, QueryRunner } from "typeorm";

export class MessageCampaigns1796073599455 implements MigrationInterface {
    name = 'MessageCampaigns1796073599455'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "message_campaign" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "segmentId" uuid NOT NULL,
                "channel" text NOT NULL,
                "subject" text NOT NULL DEFAULT '',
                "body" text NOT NULL,
                "sendAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "timeZone" text NOT NULL DEFAULT 'UTC',
                "ratePerMinute" integer NOT NULL,
                "holdoutPercent" integer NOT NULL,
                "returnWindowDays" integer NOT NULL,
                "status" text NOT NULL DEFAULT 'scheduled',
                "createdBy" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "startedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "message_campaign_window_positive" CHECK ("returnWindowDays" > 0),
                CONSTRAINT "message_campaign_holdout_share" CHECK (
                    "holdoutPercent" BETWEEN 0 AND 90
                ),
                CONSTRAINT "message_campaign_rate_positive" CHECK ("ratePerMinute" > 0),
                CONSTRAINT "PK_b9a275089136979e8b4bd192a72" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "message_campaign_recipient" (
                "campaignId" uuid NOT NULL,
                "memberId" uuid NOT NULL,
                "holdout" boolean NOT NULL,
                "status" text NOT NULL,
                "heldUntil" TIMESTAMP WITH TIME ZONE,
                "sentAt" TIMESTAMP WITH TIME ZONE,
                "reason" text,
                "openedAt" TIMESTAMP WITH TIME ZONE,
                "clickedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_cd5c0ad46de36dd266f74aad862" PRIMARY KEY ("campaignId", "memberId")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "message_campaign_recipient_pending" ON "message_campaign_recipient" ("campaignId")
            WHERE "status" = 'pending'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."message_campaign_recipient_pending"
        `);
        await queryRunner.query(`
            DROP TABLE "message_campaign_recipient"
        `);
        await queryRunner.query(`
            DROP TABLE "message_campaign"
        `);
    }

}
