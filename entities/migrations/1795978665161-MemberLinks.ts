import { MigrationInterface, QueryRunner } from "typeorm";

export class MemberLinks1795978665161 implements MigrationInterface {
    name = 'MemberLinks1795978665161'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "member_link" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "partnerId" uuid NOT NULL,
                "customerId" text NOT NULL,
                "memberId" uuid NOT NULL,
                "cause" text NOT NULL,
                "linkedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "member_link_customer" UNIQUE ("partnerId", "customerId"),
                CONSTRAINT "PK_e0a729059b3c543fd0ad5de4bd9" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_39d2d4883364a71e0ae0bf7f08" ON "member_link" ("memberId")
        `);
        await queryRunner.query(`
            CREATE TABLE "member_merge" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "fromMemberId" uuid NOT NULL,
                "intoMemberId" uuid NOT NULL,
                "points" bigint NOT NULL,
                "transferId" uuid,
                "cause" text NOT NULL,
                "requestedBy" text NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_9c4b75f09f8bb7115b81e340d35" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_033fee8a18219d0f37c606e8ca" ON "member_merge" ("fromMemberId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_2695968497aa5821a44a42faf7" ON "member_merge" ("intoMemberId")
        `);
        await queryRunner.query(`
            ALTER TABLE "member"
            ADD "emailVerifiedAt" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            ALTER TABLE "member"
            ADD "phoneVerifiedAt" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            ALTER TABLE "member"
            ADD "provisionalPartnerId" uuid
        `);
        await queryRunner.query(`
            ALTER TABLE "member"
            ADD "mergedIntoId" uuid
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_8bb33dcb4cd908d3b90dfc432b" ON "member" ("provisionalPartnerId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_6cd0ec448652a50e91b7ed0c06" ON "member" ("mergedIntoId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "member_verified_phone" ON "member" ("phone")
            WHERE "phoneVerifiedAt" IS NOT NULL
                AND "mergedIntoId" IS NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "member_verified_email" ON "member" ("email")
            WHERE "emailVerifiedAt" IS NOT NULL
                AND "mergedIntoId" IS NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "member_link"
            ADD CONSTRAINT "FK_daa3ba3fac31ed85a21123de065" FOREIGN KEY ("partnerId") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "member_link"
            ADD CONSTRAINT "FK_39d2d4883364a71e0ae0bf7f086" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        // Existing members: each store that ever addressed a member (an event, a redemption, a
        // transfer it asked for) keeps addressing them by the id it used. Stores shared one
        // namespace before, so a member several stores addressed stays one person; one known to a
        // single store is that store's provisional member. Addresses were never verified.
        await queryRunner.query(`
            UPDATE "member" SET "email" = lower(trim("email")) WHERE "email" IS NOT NULL
        `);
        await queryRunner.query(`
            INSERT INTO "member_link" ("partnerId", "customerId", "memberId", "cause")
            SELECT DISTINCT "known"."partnerId", "m"."externalId", "m"."id", 'migration'
            FROM "member" "m"
            JOIN (
                SELECT "memberId", "partnerId" FROM "member_event"
                UNION SELECT "memberId", "partnerId" FROM "redemption" WHERE "partnerId" IS NOT NULL
                UNION SELECT "a"."memberId", "p"."id"
                    FROM "ledger_transfer" "t"
                    JOIN "ledger_account" "a" ON "a"."id" IN ("t"."debitAccountId", "t"."creditAccountId")
                    JOIN "partner" "p" ON "p"."id"::text = "t"."references"->>'partner'
                    WHERE "a"."memberId" IS NOT NULL
            ) "known" ON "known"."memberId" = "m"."id"
        `);
        await queryRunner.query(`
            UPDATE "member" "m" SET "provisionalPartnerId" = "only"."partnerId"
            FROM (SELECT "memberId", min("partnerId"::text)::uuid AS "partnerId" FROM "member_link" GROUP BY "memberId" HAVING count(*) = 1) "only"
            WHERE "only"."memberId" = "m"."id"
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "member_link" DROP CONSTRAINT "FK_39d2d4883364a71e0ae0bf7f086"
        `);
        await queryRunner.query(`
            ALTER TABLE "member_link" DROP CONSTRAINT "FK_daa3ba3fac31ed85a21123de065"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."member_verified_email"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."member_verified_phone"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_6cd0ec448652a50e91b7ed0c06"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_8bb33dcb4cd908d3b90dfc432b"
        `);
        await queryRunner.query(`
            ALTER TABLE "member" DROP COLUMN "mergedIntoId"
        `);
        await queryRunner.query(`
            ALTER TABLE "member" DROP COLUMN "provisionalPartnerId"
        `);
        await queryRunner.query(`
            ALTER TABLE "member" DROP COLUMN "phoneVerifiedAt"
        `);
        await queryRunner.query(`
            ALTER TABLE "member" DROP COLUMN "emailVerifiedAt"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_2695968497aa5821a44a42faf7"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_033fee8a18219d0f37c606e8ca"
        `);
        await queryRunner.query(`
            DROP TABLE "member_merge"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_39d2d4883364a71e0ae0bf7f08"
        `);
        await queryRunner.query(`
            DROP TABLE "member_link"
        `);
    }

}
