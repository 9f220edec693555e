import { MigrationInterface, QueryRunner } from "typeorm";

export class PartnersFunding1795560481450 implements MigrationInterface {
    name = 'PartnersFunding1795560481450'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "api_key" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "partnerId" uuid NOT NULL,
                "name" text NOT NULL,
                "prefix" text NOT NULL,
                "secretHash" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "lastUsedAt" TIMESTAMP WITH TIME ZONE,
                "revokedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "UQ_c4f6ccad30c0862eb54af9fb0ac" UNIQUE ("prefix"),
                CONSTRAINT "PK_b1bd840641b8acbaad89c3d8d11" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_81e0ffde35cf77a0a0a8b4e5af" ON "api_key" ("partnerId")
        `);
        await queryRunner.query(`
            CREATE TABLE "point_package" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "code" text NOT NULL,
                "name" text NOT NULL,
                "points" integer NOT NULL,
                "priceCents" integer NOT NULL,
                "currency" character(3) NOT NULL,
                "active" boolean NOT NULL DEFAULT true,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_278be5c4f04a1e4555ac5aa5aad" UNIQUE ("code"),
                CONSTRAINT "point_package_positive" CHECK (
                    "points" > 0
                    AND "priceCents" >= 0
                ),
                CONSTRAINT "PK_837983d19e1f38dc8a6ff43f753" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "invoice" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "serial" integer NOT NULL,
                "number" text NOT NULL,
                "partnerId" uuid NOT NULL,
                "packageId" uuid NOT NULL,
                "purchaseKey" text NOT NULL,
                "points" integer NOT NULL,
                "amountCents" integer NOT NULL,
                "currency" character(3) NOT NULL,
                "transferId" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_60284980bc8b9c624459948f4ac" UNIQUE ("number"),
                CONSTRAINT "invoice_purchase_idempotency" UNIQUE ("partnerId", "purchaseKey"),
                CONSTRAINT "PK_15d25c200d9bcd8a33f698daf18" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_a368c67305369b7bf3a019f95d" ON "invoice" ("serial")
        `);
        await queryRunner.query(`
            CREATE TABLE "point_of_sale" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "partnerId" uuid NOT NULL,
                "code" text NOT NULL,
                "name" text NOT NULL,
                "channel" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "point_of_sale_code_per_partner" UNIQUE ("partnerId", "code"),
                CONSTRAINT "PK_3de93e7aa9f52c9da5874e4f197" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            ALTER TABLE "api_key"
            ADD CONSTRAINT "FK_81e0ffde35cf77a0a0a8b4e5afa" FOREIGN KEY ("partnerId") REFERENCES "partner"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice"
            ADD CONSTRAINT "FK_977eee1b6e3263bd582f4527938" FOREIGN KEY ("partnerId") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice"
            ADD CONSTRAINT "FK_0797ebe7c12cbbdeeed850b27f5" FOREIGN KEY ("packageId") REFERENCES "point_package"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "point_of_sale"
            ADD CONSTRAINT "FK_d2060cd0e2a36408b22a93bd6d8" FOREIGN KEY ("partnerId") REFERENCES "partner"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "point_of_sale" DROP CONSTRAINT "FK_d2060cd0e2a36408b22a93bd6d8"
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice" DROP CONSTRAINT "FK_0797ebe7c12cbbdeeed850b27f5"
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice" DROP CONSTRAINT "FK_977eee1b6e3263bd582f4527938"
        `);
        await queryRunner.query(`
            ALTER TABLE "api_key" DROP CONSTRAINT "FK_81e0ffde35cf77a0a0a8b4e5afa"
        `);
        await queryRunner.query(`
            DROP TABLE "point_of_sale"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_a368c67305369b7bf3a019f95d"
        `);
        await queryRunner.query(`
            DROP TABLE "invoice"
        `);
        await queryRunner.query(`
            DROP TABLE "point_package"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_81e0ffde35cf77a0a0a8b4e5af"
        `);
        await queryRunner.query(`
            DROP TABLE "api_key"
        `);
    }

}
