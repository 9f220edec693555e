import { MigrationInterface, QueryRunner } from "typeorm";

export class EventIndexesForReports1796026051416 implements MigrationInterface {
    name = 'EventIndexesForReports1796026051416'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE INDEX "member_event_time" ON "member_event" ("occurredAt")
        `);
        await queryRunner.query(`
            CREATE INDEX "member_event_partner_time" ON "member_event" ("partnerId", "occurredAt")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."member_event_partner_time"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."member_event_time"
        `);
    }

}
