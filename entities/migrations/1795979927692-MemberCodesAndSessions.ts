import { MigrationInterface, QueryRunner } from "typeorm";

export class MemberCodesAndSessions1795979927692 implements MigrationInterface {
    name = 'MemberCodesAndSessions1795979927692'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "member_code" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberId" uuid,
                "purpose" text NOT NULL,
                "partnerId" uuid,
                "channel" text NOT NULL,
                "address" text NOT NULL,
                "codeHash" text NOT NULL,
                "attempts" integer NOT NULL DEFAULT '0',
                "expiresAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "usedAt" TIMESTAMP WITH TIME ZONE,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_b1dbc15d0c299b0aea9f5b22a45" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "member_code_address" ON "member_code" ("address", "createdAt")
        `);
        await queryRunner.query(`
            CREATE INDEX "member_code_waiting" ON "member_code" ("memberId", "purpose", "createdAt")
            WHERE "usedAt" IS NULL
        `);
        await queryRunner.query(`
            CREATE TABLE "member_session" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberId" uuid NOT NULL,
                "tokenHash" text NOT NULL,
                "partnerId" uuid,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "expiresAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "revokedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_b4e1b71e5cf2d9b4918023508b6" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_05b31a13081704426fa52872e8" ON "member_session" ("memberId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_c13aa3c45e5bc3f1f150375e2d" ON "member_session" ("tokenHash")
        `);
        await queryRunner.query(`
            ALTER TABLE "member_event"
            ADD "customerId" text
        `);
        // Events before links: the store's id for the member was the member's id.
        await queryRunner.query(`
            UPDATE "member_event" "e" SET "customerId" = "m"."externalId" FROM "member" "m" WHERE "m"."id" = "e"."memberId"
        `);
        await queryRunner.query(`
            ALTER TABLE "member_event" ALTER COLUMN "customerId" SET NOT NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "member_event" DROP COLUMN "customerId"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_c13aa3c45e5bc3f1f150375e2d"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_05b31a13081704426fa52872e8"
        `);
        await queryRunner.query(`
            DROP TABLE "member_session"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."member_code_waiting"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."member_code_address"
        `);
        await queryRunner.query(`
            DROP TABLE "member_code"
        `);
    }

}
