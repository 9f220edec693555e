import { MigrationInterface, QueryRunner } from "typeorm";

export class DailyFigures1796035281064 implements MigrationInterface {
    name = 'DailyFigures1796035281064'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "daily_figure" (
                "id" BIGSERIAL NOT NULL,
                "day" date NOT NULL,
                "kind" text NOT NULL,
                "partnerId" uuid,
                "points" bigint NOT NULL,
                CONSTRAINT "PK_2159a23b6947a55aa654488fd8e" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "daily_figure_by_partner" ON "daily_figure" ("partnerId", "day")
        `);
        await queryRunner.query(`
            CREATE INDEX "daily_figure_by_day" ON "daily_figure" ("day", "kind")
        `);
        await queryRunner.query(`
            CREATE TABLE "daily_figure_watermark" (
                "id" integer NOT NULL DEFAULT '1',
                "transferSeq" bigint NOT NULL,
                "transferGaps" bigint array NOT NULL DEFAULT '{}',
                "consumptionId" bigint NOT NULL,
                "consumptionGaps" bigint array NOT NULL DEFAULT '{}',
                "refreshedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_b8460a1265808cd72de1be2fe0c" PRIMARY KEY ("id")
            )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TABLE "daily_figure_watermark"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."daily_figure_by_day"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."daily_figure_by_partner"
        `);
        await queryRunner.query(`
            DROP TABLE "daily_figure"
        `);
    }

}
