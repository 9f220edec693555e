import { MigrationInterface, QueryRunner } from "typeorm";

export class Receipts1796072644473 implements MigrationInterface {
    name = 'Receipts1796072644473'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "receipt" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberId" uuid NOT NULL,
                "source" text NOT NULL,
                "uploadedByPartnerId" uuid,
                "status" text NOT NULL DEFAULT 'reading',
                "imageKey" text NOT NULL,
                "imageType" text NOT NULL,
                "text" text,
                "confidence" integer,
                "storeName" text,
                "purchasedOn" date,
                "totalCents" bigint,
                "lines" jsonb NOT NULL DEFAULT '[]',
                "partnerId" uuid,
                "pointOfSaleId" uuid,
                "fingerprint" text,
                "reviewReason" text,
                "rejectionReason" text,
                "eventId" uuid,
                "points" integer,
                "reviewedBy" uuid,
                "uploadedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "imageDeletedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_b4b9ec7d164235fbba023da9832" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "receipt_image_kept" ON "receipt" ("uploadedAt")
            WHERE "imageDeletedAt" IS NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "receipt_fingerprint" ON "receipt" ("fingerprint")
        `);
        await queryRunner.query(`
            CREATE INDEX "receipt_review_queue" ON "receipt" ("uploadedAt")
            WHERE "status" = 'review'
        `);
        await queryRunner.query(`
            CREATE INDEX "receipt_member" ON "receipt" ("memberId", "uploadedAt")
        `);
        await queryRunner.query(`
            ALTER TABLE "point_of_sale"
            ADD "receiptNames" text array NOT NULL DEFAULT '{}'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "point_of_sale" DROP COLUMN "receiptNames"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."receipt_member"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."receipt_review_queue"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."receipt_fingerprint"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."receipt_image_kept"
        `);
        await queryRunner.query(`
            DROP TABLE "receipt"
        `);
    }

}
