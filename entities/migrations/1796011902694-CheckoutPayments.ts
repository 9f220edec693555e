import { MigrationInterface, QueryRunner } from "typeorm";

export class CheckoutPayments1796011902694 implements MigrationInterface {
    name = 'CheckoutPayments1796011902694'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "payment" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "partnerId" uuid NOT NULL,
                "memberId" uuid NOT NULL,
                "pointOfSaleId" uuid,
                "orderReference" text NOT NULL,
                "tender" text NOT NULL DEFAULT 'points',
                "basketAmountMinor" bigint NOT NULL,
                "eligibleAmountMinor" bigint NOT NULL,
                "currency" text NOT NULL,
                "pointValueMinor" numeric(12, 4) NOT NULL,
                "pointsAuthorized" bigint NOT NULL,
                "pointsCaptured" bigint NOT NULL DEFAULT '0',
                "pointsRefunded" bigint NOT NULL DEFAULT '0',
                "status" text NOT NULL,
                "holdTransferId" uuid NOT NULL,
                "captureTransferId" uuid,
                "expiresAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "idempotencyKey" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "payment_idempotency" UNIQUE ("partnerId", "idempotencyKey"),
                CONSTRAINT "payment_points_within_authorized" CHECK (
                    "pointsCaptured" <= "pointsAuthorized"
                    AND "pointsRefunded" <= "pointsCaptured"
                ),
                CONSTRAINT "PK_fcaec7df5adf9cac408c686b2ab" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_0df813f33db6754ce2c5641c54" ON "payment" ("partnerId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_89ce346f102c90b97ee97a94d7" ON "payment" ("memberId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_170617b316f808109cb5adb38f" ON "payment" ("holdTransferId")
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "paymentMinPoints" bigint NOT NULL DEFAULT '1'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "paymentMaxSharePercent" numeric(5, 2) NOT NULL DEFAULT '100'
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings"
            ADD "paymentExcludedCategories" text NOT NULL DEFAULT ''
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "paymentExcludedCategories"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "paymentMaxSharePercent"
        `);
        await queryRunner.query(`
            ALTER TABLE "program_settings" DROP COLUMN "paymentMinPoints"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_170617b316f808109cb5adb38f"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_89ce346f102c90b97ee97a94d7"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_0df813f33db6754ce2c5641c54"
        `);
        await queryRunner.query(`
            DROP TABLE "payment"
        `);
    }

}
