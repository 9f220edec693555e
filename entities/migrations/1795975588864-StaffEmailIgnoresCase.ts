import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * One staff account per email whatever its case, as sign-in reads it (`lower(email)`): a unique
 * index on lower(email) replaces the plain unique constraint (written here: TypeORM cannot declare
 * an index on an expression; the entity names it so that it is left alone).
 *
 * Existing accounts whose emails differ only by case (the back office used to accept them, and
 * sign-in then picked one of them at random): the oldest keeps its email; each later one is kept,
 * with its role and password, under its email followed by "(duplicate N: set another email)", which
 * nobody signs in with, and an audit log entry says so, for the operator to give it an email of its
 * own or delete it. Nothing is deleted. Going down keeps the renamed emails as they are.
 */
export class StaffEmailIgnoresCase1795975588864 implements MigrationInterface {
    name = 'StaffEmailIgnoresCase1795975588864'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            WITH "ranked" AS (
                SELECT "id", "email", row_number() OVER (PARTITION BY lower("email") ORDER BY "createdAt", "id") AS "n"
                FROM "staff_user"
            ),
            "renamed" AS (
                UPDATE "staff_user" "u"
                SET "email" = "r"."email" || ' (duplicate ' || "r"."n" || ': set another email)'
                FROM "ranked" "r"
                WHERE "u"."id" = "r"."id" AND "r"."n" > 1
                RETURNING "u"."id", "r"."email" AS "before", "u"."email" AS "after"
            )
            INSERT INTO "audit_entry" ("staffEmail", "action", "resource", "recordId", "before", "after")
            SELECT 'upgrade: one account per email', 'edit', 'StaffUser', "id"::text,
                   jsonb_build_object('email', "before"), jsonb_build_object('email', "after")
            FROM "renamed"
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "staff_user_email_lower" ON "staff_user" (lower("email"))
        `);
        await queryRunner.query(`
            ALTER TABLE "staff_user" DROP CONSTRAINT "UQ_41a4f42a05b7aee26f9d3a0bb6b"
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "staff_user"
            ADD CONSTRAINT "UQ_41a4f42a05b7aee26f9d3a0bb6b" UNIQUE ("email")
        `);
        await queryRunner.query(`
            DROP INDEX "staff_user_email_lower"
        `);
    }

}
