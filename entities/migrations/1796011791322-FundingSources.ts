import { MigrationInterface, QueryRunner } from "typeorm";

export class FundingSources1796011791322 implements MigrationInterface {
    name = 'FundingSources1796011791322'

    public async up(queryRunner: QueryRunner): Promise<void> {
        // TypeORM does not see a check's expression change: the new account kind is added by hand.
        await queryRunner.query(`
            ALTER TABLE "ledger_account" DROP CONSTRAINT "ledger_account_owner_matches_kind"
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account"
            ADD CONSTRAINT "ledger_account_owner_matches_kind" CHECK (
                    ("kind" = 'member' AND "memberId" IS NOT NULL AND "partnerId" IS NULL)
                    OR ("kind" = 'partner_wallet' AND "partnerId" IS NOT NULL AND "memberId" IS NULL)
                    OR ("kind" = 'program' AND "memberId" IS NULL AND "partnerId" IS NULL)
                    OR ("kind" = 'funding_source' AND "memberId" IS NULL AND "partnerId" IS NULL)
                )
        `);
        await queryRunner.query(`
            CREATE TABLE "funding_source" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "code" text NOT NULL,
                "name" text NOT NULL,
                "kind" text NOT NULL,
                "ownerPartnerId" uuid,
                "accountId" uuid NOT NULL,
                "lowBalanceThreshold" bigint NOT NULL DEFAULT '0',
                "alertEmail" text,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "REL_58f471458ee103d5c087fad6c3" UNIQUE ("accountId"),
                CONSTRAINT "funding_source_threshold_not_negative" CHECK ("lowBalanceThreshold" >= 0),
                CONSTRAINT "funding_source_owner_matches_kind" CHECK (
                    ("kind" = 'partner') = ("ownerPartnerId" IS NOT NULL)
                ),
                CONSTRAINT "PK_92519fb16dc7824dd91eb45e866" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_88a484589cfba962dc474c6117" ON "funding_source" ("code")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_2f5b53d1a8b977a8e6b08f74d1" ON "funding_source" ("ownerPartnerId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_58f471458ee103d5c087fad6c3" ON "funding_source" ("accountId")
        `);
        await queryRunner.query(`
            ALTER TABLE "bonus"
            ADD "fundingSourceId" uuid
        `);
        await queryRunner.query(`
            ALTER TABLE "campaign"
            ADD "fundingSourceId" uuid
        `);
        await queryRunner.query(`
            ALTER TABLE "funding_alert"
            ADD "fundingSourceId" uuid
        `);
        await queryRunner.query(`
            DROP INDEX "public"."funding_alert_open_once"
        `);
        await queryRunner.query(`
            ALTER TABLE "funding_alert"
            ALTER COLUMN "partnerId" DROP NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_b36035383d178db4afc373b842" ON "campaign" ("fundingSourceId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "funding_alert_source_open_once" ON "funding_alert" ("fundingSourceId", "level")
            WHERE "clearedAt" IS NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "funding_alert_open_once" ON "funding_alert" ("partnerId", "level")
            WHERE "clearedAt" IS NULL
                AND "fundingSourceId" IS NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "funding_alert"
            ADD CONSTRAINT "funding_alert_one_subject" CHECK (
                    ("partnerId" IS NULL) <> ("fundingSourceId" IS NULL)
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "funding_source"
            ADD CONSTRAINT "FK_2f5b53d1a8b977a8e6b08f74d1f" FOREIGN KEY ("ownerPartnerId") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "funding_source"
            ADD CONSTRAINT "FK_58f471458ee103d5c087fad6c33" FOREIGN KEY ("accountId") REFERENCES "ledger_account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "bonus"
            ADD CONSTRAINT "FK_09839db9e4bf7a6023cdde6374b" FOREIGN KEY ("fundingSourceId") REFERENCES "funding_source"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "campaign"
            ADD CONSTRAINT "FK_b36035383d178db4afc373b8429" FOREIGN KEY ("fundingSourceId") REFERENCES "funding_source"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "ledger_account" DROP CONSTRAINT "ledger_account_owner_matches_kind"
        `);
        await queryRunner.query(`
            ALTER TABLE "ledger_account"
            ADD CONSTRAINT "ledger_account_owner_matches_kind" CHECK (
                    ("kind" = 'member' AND "memberId" IS NOT NULL AND "partnerId" IS NULL)
                    OR ("kind" = 'partner_wallet' AND "partnerId" IS NOT NULL AND "memberId" IS NULL)
                    OR ("kind" = 'program' AND "memberId" IS NULL AND "partnerId" IS NULL)
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "campaign" DROP CONSTRAINT "FK_b36035383d178db4afc373b8429"
        `);
        await queryRunner.query(`
            ALTER TABLE "bonus" DROP CONSTRAINT "FK_09839db9e4bf7a6023cdde6374b"
        `);
        await queryRunner.query(`
            ALTER TABLE "funding_source" DROP CONSTRAINT "FK_58f471458ee103d5c087fad6c33"
        `);
        await queryRunner.query(`
            ALTER TABLE "funding_source" DROP CONSTRAINT "FK_2f5b53d1a8b977a8e6b08f74d1f"
        `);
        await queryRunner.query(`
            ALTER TABLE "funding_alert" DROP CONSTRAINT "funding_alert_one_subject"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."funding_alert_open_once"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."funding_alert_source_open_once"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_b36035383d178db4afc373b842"
        `);
        await queryRunner.query(`
            ALTER TABLE "funding_alert"
            ALTER COLUMN "partnerId"
            SET NOT NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "funding_alert_open_once" ON "funding_alert" ("level", "partnerId")
            WHERE ("clearedAt" IS NULL)
        `);
        await queryRunner.query(`
            ALTER TABLE "funding_alert" DROP COLUMN "fundingSourceId"
        `);
        await queryRunner.query(`
            ALTER TABLE "campaign" DROP COLUMN "fundingSourceId"
        `);
        await queryRunner.query(`
            ALTER TABLE "bonus" DROP COLUMN "fundingSourceId"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_58f471458ee103d5c087fad6c3"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_2f5b53d1a8b977a8e6b08f74d1"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_88a484589cfba962dc474c6117"
        `);
        await queryRunner.query(`
            DROP TABLE "funding_source"
        `);
    }

}
