import { MigrationInterface, QueryRunner } from "typeorm";

export class Ledger1795559634665 implements MigrationInterface {
    name = 'Ledger1795559634665'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "member" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "externalId" text NOT NULL,
                "email" text,
                "phone" text,
                "displayName" text,
                "enrolledAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_ca99785249d835f958eb29772be" UNIQUE ("externalId"),
                CONSTRAINT "PK_97cbbe986ce9d14ca5894fdc072" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_4678079964ab375b2b31849456" ON "member" ("email")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_d73619f5e63108e8d57e8e1859" ON "member" ("phone")
        `);
        await queryRunner.query(`
            CREATE TABLE "partner" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "code" text NOT NULL,
                "name" text NOT NULL,
                "kind" text NOT NULL DEFAULT 'web_shop',
                "contactEmail" text,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_a032a2037d6fa09db7538e54388" UNIQUE ("code"),
                CONSTRAINT "PK_8f34ff11ddd5459eacbfacd48ca" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "ledger_account" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "code" text NOT NULL,
                "kind" text NOT NULL,
                "memberId" uuid,
                "partnerId" uuid,
                "mayGoNegative" boolean NOT NULL,
                "shardCount" integer NOT NULL DEFAULT '1',
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_cb2ceafed631e8bfa859548d22b" UNIQUE ("code"),
                CONSTRAINT "ledger_account_owner_matches_kind" CHECK (
                    (
                        "kind" = 'member'
                        AND "memberId" IS NOT NULL
                        AND "partnerId" IS NULL
                    )
                    OR (
                        "kind" = 'partner_wallet'
                        AND "partnerId" IS NOT NULL
                        AND "memberId" IS NULL
                    )
                    OR (
                        "kind" = 'program'
                        AND "memberId" IS NULL
                        AND "partnerId" IS NULL
                    )
                ),
                CONSTRAINT "ledger_account_shards_positive" CHECK ("shardCount" >= 1),
                CONSTRAINT "PK_34640393ff83dad2b4627d7ae5f" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_e1e8ec7a7ede1dbd9fbaede9be" ON "ledger_account" ("memberId")
            WHERE "memberId" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_c6f0840292661637195f9ad880" ON "ledger_account" ("partnerId")
            WHERE "partnerId" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE TABLE "ledger_balance" (
                "accountId" uuid NOT NULL,
                "shard" integer NOT NULL,
                "mayGoNegative" boolean NOT NULL,
                "debitsPosted" bigint NOT NULL DEFAULT '0',
                "creditsPosted" bigint NOT NULL DEFAULT '0',
                "debitsPending" bigint NOT NULL DEFAULT '0',
                "creditsPending" bigint NOT NULL DEFAULT '0',
                CONSTRAINT "ledger_balance_totals_non_negative" CHECK (
                    "debitsPosted" >= 0
                    AND "creditsPosted" >= 0
                    AND "debitsPending" >= 0
                    AND "creditsPending" >= 0
                ),
                CONSTRAINT "ledger_balance_no_overdraft" CHECK (
                    "mayGoNegative"
                    OR "creditsPosted" - "debitsPosted" - "debitsPending" >= 0
                ),
                CONSTRAINT "PK_200cdd2af7fee8e2d5da100698b" PRIMARY KEY ("accountId", "shard")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "ledger_transfer" (
                "id" uuid NOT NULL,
                "seq" BIGSERIAL NOT NULL,
                "debitAccountId" uuid NOT NULL,
                "debitShard" integer NOT NULL,
                "creditAccountId" uuid NOT NULL,
                "creditShard" integer NOT NULL,
                "amount" bigint NOT NULL,
                "kind" text NOT NULL,
                "phase" text NOT NULL DEFAULT 'single',
                "pendingTransferId" uuid,
                "reversesTransferId" uuid,
                "idempotencySource" text NOT NULL,
                "idempotencyKey" text NOT NULL,
                "leg" integer NOT NULL DEFAULT '0',
                "requestHash" text NOT NULL,
                "references" jsonb NOT NULL DEFAULT '{}',
                "explanation" jsonb NOT NULL DEFAULT '[]',
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ledger_transfer_idempotency" UNIQUE ("idempotencySource", "idempotencyKey", "leg"),
                CONSTRAINT "ledger_transfer_resolution_has_pending" CHECK (
                    ("phase" IN ('post', 'void')) = ("pendingTransferId" IS NOT NULL)
                ),
                CONSTRAINT "ledger_transfer_distinct_sides" CHECK (
                    "debitAccountId" <> "creditAccountId"
                    OR "debitShard" <> "creditShard"
                ),
                CONSTRAINT "ledger_transfer_amount_positive" CHECK ("amount" > 0),
                CONSTRAINT "PK_b9171ac2389eeaef6fb308b273d" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_8e1045ff443f2141917a8847dc" ON "ledger_transfer" ("seq")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_66368a3b2afb5f05cfc8513162" ON "ledger_transfer" ("debitAccountId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_6af37b87fa94a628c83543aaec" ON "ledger_transfer" ("creditAccountId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_ab026f7ff0614e55709a078595" ON "ledger_transfer" ("pendingTransferId")
            WHERE "pendingTransferId" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_be84183601b4083094a4452aa6" ON "ledger_transfer" ("reversesTransferId")
            WHERE "reversesTransferId" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE TABLE "point_lot" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberAccountId" uuid NOT NULL,
                "creditTransferId" uuid NOT NULL,
                "fundingPartnerId" uuid,
                "points" integer NOT NULL,
                "remaining" integer NOT NULL,
                "expiresAt" TIMESTAMP WITH TIME ZONE,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "point_lot_remaining_within_points" CHECK (
                    "remaining" >= 0
                    AND "remaining" <= "points"
                    AND "points" > 0
                ),
                CONSTRAINT "PK_452f054ea1c426cfec5001a804a" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_17f57b8b7e010c359f1fadfc44" ON "point_lot" ("creditTransferId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_ac68ba058cbd9439810bc5297d" ON "point_lot" ("fundingPartnerId")
        `);
        await queryRunner.query(`
            CREATE INDEX "point_lot_open_by_expiry" ON "point_lot" ("memberAccountId", "expiresAt")
            WHERE "remaining" > 0
        `);
        await queryRunner.query(`
            CREATE TABLE "lot_consumption" (
                "id" BIGSERIAL NOT NULL,
                "lotId" uuid NOT NULL,
                "transferId" uuid NOT NULL,
                "points" bigint NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "lot_consumption_not_zero" CHECK ("points" <> 0),
                CONSTRAINT "PK_727ab42a68742e3bb850c0ff76a" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_b140911a4d398e323d306b7f2f" ON "lot_consumption" ("lotId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_7f62c653e6d94893b63898ff82" ON "lot_consumption" ("transferId")
        `);
        await queryRunner.query(`
            CREATE TABLE "reward" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "code" text NOT NULL,
                "name" text NOT NULL,
                "description" text NOT NULL DEFAULT '',
                "pointsPrice" integer NOT NULL,
                "stock" integer,
                "needsFulfilment" boolean NOT NULL DEFAULT false,
                "supplier" text,
                "available" boolean NOT NULL DEFAULT true,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_99a7102cf8bb2742ebe9acc0626" UNIQUE ("code"),
                CONSTRAINT "PK_a90ea606c229e380fb341838036" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "staff_user" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "email" text NOT NULL,
                "name" text NOT NULL,
                "role" text NOT NULL,
                "partnerId" uuid,
                "passwordHash" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_41a4f42a05b7aee26f9d3a0bb6b" UNIQUE ("email"),
                CONSTRAINT "PK_cec9365d9fc3a3409158b645f2e" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account"
            ADD CONSTRAINT "FK_509470f16fdfa4bae08a754c2df" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account"
            ADD CONSTRAINT "FK_548662170ec54d03d23fc90bffa" FOREIGN KEY ("partnerId") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_balance"
            ADD CONSTRAINT "FK_ce5786b2bd1ec534e8c98cd33a5" FOREIGN KEY ("accountId") REFERENCES "ledger_account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "point_lot"
            ADD CONSTRAINT "FK_5c8c2d2933f73b44d08778ac459" FOREIGN KEY ("memberAccountId") REFERENCES "ledger_account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "point_lot"
            ADD CONSTRAINT "FK_17f57b8b7e010c359f1fadfc44c" FOREIGN KEY ("creditTransferId") REFERENCES "ledger_transfer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED
        `);
        await queryRunner.query(`
            ALTER TABLE "lot_consumption"
            ADD CONSTRAINT "FK_b140911a4d398e323d306b7f2f8" FOREIGN KEY ("lotId") REFERENCES "point_lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "lot_consumption"
            ADD CONSTRAINT "FK_7f62c653e6d94893b63898ff82f" FOREIGN KEY ("transferId") REFERENCES "ledger_transfer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "lot_consumption" DROP CONSTRAINT "FK_7f62c653e6d94893b63898ff82f"
        `);
        await queryRunner.query(`
            ALTER TABLE "lot_consumption" DROP CONSTRAINT "FK_b140911a4d398e323d306b7f2f8"
        `);
        await queryRunner.query(`
            ALTER TABLE "point_lot" DROP CONSTRAINT "FK_17f57b8b7e010c359f1fadfc44c"
        `);
        await queryRunner.query(`
            ALTER TABLE "point_lot" DROP CONSTRAINT "FK_5c8c2d2933f73b44d08778ac459"
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_balance" DROP CONSTRAINT "FK_ce5786b2bd1ec534e8c98cd33a5"
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account" DROP CONSTRAINT "FK_548662170ec54d03d23fc90bffa"
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account" DROP CONSTRAINT "FK_509470f16fdfa4bae08a754c2df"
        `);
        await queryRunner.query(`
            DROP TABLE "staff_user"
        `);
        await queryRunner.query(`
            DROP TABLE "reward"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_7f62c653e6d94893b63898ff82"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_b140911a4d398e323d306b7f2f"
        `);
        await queryRunner.query(`
            DROP TABLE "lot_consumption"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."point_lot_open_by_expiry"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_ac68ba058cbd9439810bc5297d"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_17f57b8b7e010c359f1fadfc44"
        `);
        await queryRunner.query(`
            DROP TABLE "point_lot"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_be84183601b4083094a4452aa6"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_ab026f7ff0614e55709a078595"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_6af37b87fa94a628c83543aaec"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_66368a3b2afb5f05cfc8513162"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_8e1045ff443f2141917a8847dc"
        `);
        await queryRunner.query(`
            DROP TABLE "ledger_transfer"
        `);
        await queryRunner.query(`
            DROP TABLE "ledger_balance"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_c6f0840292661637195f9ad880"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_e1e8ec7a7ede1dbd9fbaede9be"
        `);
        await queryRunner.query(`
            DROP TABLE "ledger_account"
        `);
        await queryRunner.query(`
            DROP TABLE "partner"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_d73619f5e63108e8d57e8e1859"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_4678079964ab375b2b31849456"
        `);
        await queryRunner.query(`
            DROP TABLE "member"
        `);
    }

}
