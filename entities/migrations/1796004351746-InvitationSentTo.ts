import { MigrationInterface, QueryRunner } from "typeorm";

export class InvitationSentTo1796004351746 implements MigrationInterface {
    name = 'InvitationSentTo1796004351746'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "staff_invitation"
            ADD "sentTo" text
        `);
        // Links already sent went to the account's address of now: they keep working.
        await queryRunner.query(`
            UPDATE "staff_invitation" i SET "sentTo" = u.email
              FROM "staff_user" u WHERE u.id = i."staffUserId" AND i."sentAt" IS NOT NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "staff_invitation" DROP COLUMN "sentTo"
        `);
    }

}
