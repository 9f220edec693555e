import { MigrationInterface, QueryRunner } from "typeorm";

export class PartnerApi1795561024256 implements MigrationInterface {
    name = 'PartnerApi1795561024256'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "api_request" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "partnerId" uuid NOT NULL,
                "idempotencyKey" text NOT NULL,
                "requestHash" text NOT NULL,
                "status" integer NOT NULL,
                "response" jsonb,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "api_request_idempotency" UNIQUE ("partnerId", "idempotencyKey"),
                CONSTRAINT "PK_b3d35215ae13b22c62e9e4bb05b" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "redemption" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "memberId" uuid NOT NULL,
                "rewardId" uuid NOT NULL,
                "partnerId" uuid,
                "quantity" integer NOT NULL,
                "points" integer NOT NULL,
                "status" text NOT NULL,
                "transferId" uuid NOT NULL,
                "code" text,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_e96b16cd3061a61305951bc95a3" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_b5a6f8c38d19e36ed1f60aa7e2" ON "redemption" ("memberId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_61215d61cd95971db681717926" ON "redemption" ("partnerId")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."IDX_61215d61cd95971db681717926"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_b5a6f8c38d19e36ed1f60aa7e2"
        `);
        await queryRunner.query(`
            DROP TABLE "redemption"
        `);
        await queryRunner.query(`
            DROP TABLE "api_request"
        `);
    }

}
