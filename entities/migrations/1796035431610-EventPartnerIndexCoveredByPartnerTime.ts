import { MigrationInterface, QueryRunner } from "typeorm";

export class EventPartnerIndexCoveredByPartnerTime1796035431610 implements MigrationInterface {
    name = 'EventPartnerIndexCoveredByPartnerTime1796035431610'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."IDX_38f814df2e3603ebc53e6766bd"
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE INDEX "IDX_38f814df2e3603ebc53e6766bd" ON "member_event" ("partnerId")
        `);
    }

}
