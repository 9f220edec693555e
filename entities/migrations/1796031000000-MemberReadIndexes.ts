import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Indexes for the back office's reads at a million members, chosen from EXPLAIN (ANALYZE, BUFFERS)
 * on the benchmark set (bench/README.md):
 * - a member's points account by member (every member page, history and ledger write looked it up
 *   with a sequential scan: the two unique indexes are partial on "creditProgramId");
 * - care's search: a reference or a store's id in any case, a phone by its last digits (reversed,
 *   so that "ends with" is a prefix), and part of a name or an email (trigrams: pg_trgm, which
 *   PostgreSQL ships as a trusted extension).
 * The expression and trigram indexes are written here: TypeORM cannot declare them (the entities
 * name them so that they are left alone).
 */
export class MemberReadIndexes1796031000000 implements MigrationInterface {
    name = 'MemberReadIndexes1796031000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE INDEX "ledger_account_member" ON "ledger_account" ("memberId")
        `);
        await queryRunner.query(`
            CREATE INDEX "member_external_id_lower" ON "member" (lower("externalId"))
        `);
        await queryRunner.query(`
            CREATE INDEX "member_link_customer_lower" ON "member_link" (lower("customerId"))
        `);
        await queryRunner.query(`
            CREATE INDEX "member_phone_reversed" ON "member" (reverse("phone") text_pattern_ops)
        `);
        await queryRunner.query(`
            CREATE EXTENSION IF NOT EXISTS "pg_trgm"
        `);
        await queryRunner.query(`
            CREATE INDEX "member_email_trigrams" ON "member" USING gin ("email" gin_trgm_ops)
        `);
        await queryRunner.query(`
            CREATE INDEX "member_name_trigrams" ON "member" USING gin ("displayName" gin_trgm_ops)
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // pg_trgm stays: dropping an extension something else may use is not this migration's business.
        await queryRunner.query(`
            DROP INDEX "member_name_trigrams"
        `);
        await queryRunner.query(`
            DROP INDEX "member_email_trigrams"
        `);
        await queryRunner.query(`
            DROP INDEX "member_phone_reversed"
        `);
        await queryRunner.query(`
            DROP INDEX "member_link_customer_lower"
        `);
        await queryRunner.query(`
            DROP INDEX "member_external_id_lower"
        `);
        await queryRunner.query(`
            DROP INDEX "ledger_account_member"
        `);
    }

}
