import { MigrationInterface, QueryRunner } from "typeorm";

export class MemberPreferences1795981365564 implements MigrationInterface {
    name = 'MemberPreferences1795981365564'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "member_message" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberId" uuid NOT NULL,
                "kind" text NOT NULL,
                "occasion" text NOT NULL,
                "details" jsonb NOT NULL DEFAULT '{}',
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "sentAt" TIMESTAMP WITH TIME ZONE,
                "channel" text,
                "notSentReason" text,
                CONSTRAINT "member_message_once" UNIQUE ("memberId", "kind", "occasion"),
                CONSTRAINT "PK_f518c64f5a7765b04a56d5c1eaa" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            ALTER TABLE "member"
            ADD "birthday" date
        `);
        await queryRunner.query(`
            ALTER TABLE "member"
            ADD "language" text NOT NULL DEFAULT 'en'
        `);
        await queryRunner.query(`
            ALTER TABLE "member"
            ADD "timeZone" text NOT NULL DEFAULT 'UTC'
        `);
        await queryRunner.query(`
            ALTER TABLE "member"
            ADD "messagePreferences" jsonb NOT NULL DEFAULT '{}'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "birthdayGreetings" boolean NOT NULL DEFAULT false
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "birthdayBonusPoints" bigint NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "birthdayDaysBefore" integer NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "birthdayDaysAfter" integer NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "birthdayChannel" text NOT NULL DEFAULT 'email'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "unsubscribeSecret" text
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD CONSTRAINT "program_settings_birthday" CHECK (
                    "birthdayBonusPoints" >= 0
                    AND "birthdayDaysBefore" BETWEEN 0 AND 31
                    AND "birthdayDaysAfter" BETWEEN 0 AND 31
                    AND "birthdayChannel" IN ('email', 'sms', 'email_or_sms')
                )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP CONSTRAINT "program_settings_birthday"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "unsubscribeSecret"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "birthdayChannel"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "birthdayDaysAfter"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "birthdayDaysBefore"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "birthdayBonusPoints"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "birthdayGreetings"
        `);
        await queryRunner.query(`
            ALTER TABLE "member" DROP COLUMN "messagePreferences"
        `);
        await queryRunner.query(`
            ALTER TABLE "member" DROP COLUMN "timeZone"
        `);
        await queryRunner.query(`
            ALTER TABLE "member" DROP COLUMN "language"
        `);
        await queryRunner.query(`
            ALTER TABLE "member" DROP COLUMN "birthday"
        `);
        await queryRunner.query(`
            DROP TABLE "member_message"
        `);
    }

}
