import { MigrationInterface, QueryRunner } from "typeorm";

export class SentSms1795978964890 implements MigrationInterface {
    name = 'SentSms1795978964890'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "sent_sms" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "to" text NOT NULL,
                "text" text NOT NULL,
                "memberId" uuid,
                "sentAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_76bc39bfb019f2c7a39219c8cf8" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "sent_sms_member" ON "sent_sms" ("memberId")
        `);
        await queryRunner.query(`
            CREATE INDEX "sent_sms_recipient_time" ON "sent_sms" ("to", "sentAt")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."sent_sms_recipient_time"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."sent_sms_member"
        `);
        await queryRunner.query(`
            DROP TABLE "sent_sms"
        `);
    }

}
