import { MigrationInterface, QueryRunner } from "typeorm";

export class EarningRules1795560700518 implements MigrationInterface {
    name = 'EarningRules1795560700518'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "earning_rule" (
                "partnerIds" uuid array,
                "channels" text array,
                "pointOfSaleIds" uuid array,
                "tierCodes" text array,
                "validFrom" TIMESTAMP WITH TIME ZONE,
                "validTo" TIMESTAMP WITH TIME ZONE,
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "formula" jsonb NOT NULL,
                "priority" integer NOT NULL DEFAULT '0',
                "stacking" text NOT NULL DEFAULT 'stack',
                "caps" jsonb NOT NULL DEFAULT '{}',
                "active" boolean NOT NULL DEFAULT true,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "earning_rule_stacking" CHECK ("stacking" IN ('stack', 'best_only')),
                CONSTRAINT "PK_4946340e1b5987a2fd5f04c8967" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "bonus" (
                "partnerIds" uuid array,
                "channels" text array,
                "pointOfSaleIds" uuid array,
                "tierCodes" text array,
                "validFrom" TIMESTAMP WITH TIME ZONE,
                "validTo" TIMESTAMP WITH TIME ZONE,
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "moment" text NOT NULL,
                "points" integer NOT NULL,
                "tierCode" text,
                "goal" jsonb,
                "inactivityDays" integer,
                "active" boolean NOT NULL DEFAULT true,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "bonus_points_positive" CHECK ("points" > 0),
                CONSTRAINT "PK_885c9ca672f42874b1a5cb4d9e7" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "booster" (
                "partnerIds" uuid array,
                "channels" text array,
                "pointOfSaleIds" uuid array,
                "tierCodes" text array,
                "validFrom" TIMESTAMP WITH TIME ZONE,
                "validTo" TIMESTAMP WITH TIME ZONE,
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "coefficient" numeric(6, 3) NOT NULL,
                "target" jsonb NOT NULL,
                "active" boolean NOT NULL DEFAULT true,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "booster_coefficient_positive" CHECK ("coefficient" > 0),
                CONSTRAINT "PK_676f474085594c1633a5dea2da5" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "program_settings" (
                "id" integer NOT NULL DEFAULT '1',
                "expiryPolicy" jsonb NOT NULL DEFAULT '{"mode":"period","months":24}',
                "tierWindowDays" integer NOT NULL DEFAULT '365',
                "transferMaxPoints" integer NOT NULL DEFAULT '10000',
                "transferMaxPointsPerDay" integer NOT NULL DEFAULT '25000',
                CONSTRAINT "program_settings_single_row" CHECK ("id" = 1),
                CONSTRAINT "PK_4c10b631033490b3f95e63f0910" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "tier" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "code" text NOT NULL,
                "name" text NOT NULL,
                "threshold" integer NOT NULL,
                "multiplier" numeric(4, 2) NOT NULL DEFAULT '1',
                "benefits" text array NOT NULL DEFAULT '{}',
                CONSTRAINT "UQ_3434223fbdc9d4744482d2986df" UNIQUE ("code"),
                CONSTRAINT "UQ_ed4594870630bf044f975784110" UNIQUE ("threshold"),
                CONSTRAINT "tier_threshold_non_negative" CHECK (
                    "threshold" >= 0
                    AND "multiplier" >= 1
                ),
                CONSTRAINT "PK_14d67ceef0dbea040e39e97e7f6" PRIMARY KEY ("id")
            )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TABLE "tier"
        `);
        await queryRunner.query(`
            DROP TABLE "program_settings"
        `);
        await queryRunner.query(`
            DROP TABLE "booster"
        `);
        await queryRunner.query(`
            DROP TABLE "bonus"
        `);
        await queryRunner.query(`
            DROP TABLE "earning_rule"
        `);
    }

}
