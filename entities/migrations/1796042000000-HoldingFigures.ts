import { MigrationInterface, QueryRunner } from "typeorm";

export class HoldingFigures1796042000000 implements MigrationInterface {
    name = 'HoldingFigures1796042000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "holding_figure" (
                "id" BIGSERIAL NOT NULL,
                "fundingPartnerId" uuid,
                "unit" text NOT NULL,
                "expiryMonth" date,
                "points" bigint NOT NULL,
                CONSTRAINT "PK_f7c1b06daf8bccf3c74c40fd405" PRIMARY KEY ("id")
            )
        `);
        // Programs whose daily figures are kept already get the holdings as of the figures' watermark: the
        // open lots now, less the lots and plus the consumptions written since the mark, which the next
        // refresh counts. Without a watermark the first refresh computes them with everything else.
        // In `npm run migrate`'s transaction, a refresh running meanwhile waits for this one.
        if (queryRunner.isTransactionActive) await queryRunner.query(`LOCK TABLE "daily_figure_watermark" IN EXCLUSIVE MODE`);
        await queryRunner.query(`
            INSERT INTO "holding_figure" ("fundingPartnerId", "unit", "expiryMonth", "points")
            SELECT "fundingPartnerId", "unit", "expiryMonth", SUM("points")
              FROM (
                SELECT l."fundingPartnerId", m."unit", date_trunc('month', l."expiresAt" AT TIME ZONE 'UTC')::date AS "expiryMonth", l."remaining" AS "points"
                  FROM "point_lot" l JOIN "ledger_account" m ON m."id" = l."memberAccountId"
                 WHERE l."remaining" > 0
                UNION ALL
                SELECT l."fundingPartnerId", m."unit", date_trunc('month', l."expiresAt" AT TIME ZONE 'UTC')::date, -l."points"
                  FROM "daily_figure_watermark" w
                  JOIN "ledger_transfer" t ON t."seq" > w."transferSeq" OR t."seq" = ANY(w."transferGaps")
                  JOIN "point_lot" l ON l."creditTransferId" = t."id" JOIN "ledger_account" m ON m."id" = l."memberAccountId"
                UNION ALL
                SELECT l."fundingPartnerId", m."unit", date_trunc('month', l."expiresAt" AT TIME ZONE 'UTC')::date, c."points"
                  FROM "daily_figure_watermark" w
                  JOIN "lot_consumption" c ON c."id" > w."consumptionId" OR c."id" = ANY(w."consumptionGaps")
                  JOIN "point_lot" l ON l."id" = c."lotId" JOIN "ledger_account" m ON m."id" = l."memberAccountId"
              ) held
             WHERE EXISTS (SELECT 1 FROM "daily_figure_watermark")
             GROUP BY 1, 2, 3 HAVING SUM("points") <> 0
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TABLE "holding_figure"
        `);
    }

}
