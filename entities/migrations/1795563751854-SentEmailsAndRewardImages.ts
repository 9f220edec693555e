import { MigrationInterface, QueryRunner } from "typeorm";

export class SentEmailsAndRewardImages1795563751854 implements MigrationInterface {
    name = 'SentEmailsAndRewardImages1795563751854'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "sent_email" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "to" text NOT NULL,
                "subject" text NOT NULL,
                "text" text NOT NULL,
                "html" text,
                "sentAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_dfddcdc9ab499e45ab62c796695" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "sent_email_recipient_time" ON "sent_email" ("to", "sentAt")
        `);
        await queryRunner.query(`
            ALTER TABLE "reward"
            ADD "imageUrl" text
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "reward" DROP COLUMN "imageUrl"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."sent_email_recipient_time"
        `);
        await queryRunner.query(`
            DROP TABLE "sent_email"
        `);
    }

}
