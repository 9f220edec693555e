import { MigrationInterface, QueryRunner } from "typeorm";

export class Campaigns1795992285540 implements MigrationInterface {
    name = 'Campaigns1795992285540'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "campaign" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "ownerPartnerId" uuid,
                "status" text NOT NULL DEFAULT 'draft',
                "statusReason" text,
                "audience" jsonb NOT NULL,
                "trigger" jsonb NOT NULL,
                "places" jsonb NOT NULL DEFAULT '{}',
                "reward" jsonb NOT NULL,
                "caps" jsonb NOT NULL DEFAULT '{}',
                "stacking" text NOT NULL DEFAULT 'stack',
                "priority" integer NOT NULL DEFAULT '0',
                "startsAt" TIMESTAMP WITH TIME ZONE,
                "endsAt" TIMESTAMP WITH TIME ZONE,
                "timeZone" text NOT NULL DEFAULT 'UTC',
                "budgetPoints" bigint,
                "spentPoints" bigint NOT NULL DEFAULT '0',
                "holdoutPercent" integer NOT NULL DEFAULT '0',
                "mechanismId" uuid NOT NULL,
                "createdBy" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "campaign_holdout_share" CHECK (
                    "holdoutPercent" >= 0
                    AND "holdoutPercent" <= 50
                ),
                CONSTRAINT "campaign_spent_within_budget" CHECK (
                    "spentPoints" >= 0
                    AND (
                        "budgetPoints" IS NULL
                        OR "spentPoints" <= "budgetPoints"
                    )
                ),
                CONSTRAINT "campaign_budget_positive" CHECK (
                    "budgetPoints" IS NULL
                    OR "budgetPoints" > 0
                ),
                CONSTRAINT "PK_0ce34d26e7f2eb316a3a592cdc4" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_3e42c111ef31c75174e09592e9" ON "campaign" ("ownerPartnerId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_8970ca8ee01cbfc8b914c8d492" ON "campaign" ("mechanismId")
        `);
        // Every earning rule, booster and bonus becomes the campaign that runs it, its terms unchanged:
        // what members earn stays the same (the mechanism rows are the ones the engine reads).
        const status = (m: string) => `CASE WHEN NOT ${m}.active THEN 'paused'
              WHEN ${m}."validTo" IS NOT NULL AND ${m}."validTo" <= now() THEN 'ended'
              WHEN ${m}."validFrom" > now() THEN 'scheduled' ELSE 'running' END`;
        const audience = (m: string) => `CASE WHEN ${m}."tierCodes" IS NULL THEN '{"kind":"everyone"}'::jsonb
              ELSE jsonb_build_object('kind', 'tiers', 'tierCodes', to_jsonb(${m}."tierCodes")) END`;
        const places = (m: string) =>
            `jsonb_strip_nulls(jsonb_build_object('partnerIds', to_jsonb(${m}."partnerIds"), 'channels', to_jsonb(${m}.channels), 'pointOfSaleIds', to_jsonb(${m}."pointOfSaleIds")))`;
        const columns = `(name, status, audience, trigger, places, reward, caps, stacking, priority, "startsAt", "endsAt", "mechanismId", "createdBy", "createdAt")`;
        await queryRunner.query(`
            INSERT INTO campaign ${columns}
            SELECT r.name, ${status('r')}, ${audience('r')},
                   CASE r.formula->>'kind'
                     WHEN 'per_amount' THEN '{"kind":"purchase_amount"}'::jsonb
                     WHEN 'per_product' THEN jsonb_build_object('kind', 'product', 'reference', r.formula->'reference')
                     WHEN 'per_category' THEN jsonb_build_object('kind', 'category', 'category', r.formula->'category')
                     WHEN 'per_visit' THEN '{"kind":"visit"}'::jsonb
                     ELSE jsonb_build_object('kind', 'action', 'actionType', r.formula->'actionType') END,
                   ${places('r')},
                   CASE r.formula->>'kind'
                     WHEN 'per_product' THEN jsonb_build_object('kind', 'points_per_unit', 'pointsPerUnit', r.formula->'pointsPerItem', 'rounding', 'down')
                     WHEN 'per_visit' THEN jsonb_build_object('kind', 'fixed_points', 'points', r.formula->'points')
                     WHEN 'per_action' THEN jsonb_build_object('kind', 'fixed_points', 'points', r.formula->'points')
                     ELSE jsonb_build_object('kind', 'points_per_unit', 'pointsPerUnit', r.formula->'pointsPerUnit', 'rounding', r.formula->'rounding') END,
                   r.caps, r.stacking, r.priority, r."validFrom", r."validTo", r.id, 'migration', r."createdAt"
              FROM earning_rule r
        `);
        await queryRunner.query(`
            INSERT INTO campaign ${columns}
            SELECT b.name, ${status('b')}, ${audience('b')},
                   CASE WHEN b.target ? 'reference' THEN jsonb_build_object('kind', 'product', 'reference', b.target->'reference')
                        WHEN b.target ? 'category' THEN jsonb_build_object('kind', 'category', 'category', b.target->'category')
                        ELSE jsonb_build_object('kind', 'action', 'actionType', b.target->'actionType') END,
                   ${places('b')},
                   jsonb_build_object('kind', 'multiplier', 'coefficient', b.coefficient),
                   '{}'::jsonb, 'stack', 0, b."validFrom", b."validTo", b.id, 'migration', b."createdAt"
              FROM booster b
        `);
        await queryRunner.query(`
            INSERT INTO campaign ${columns}
            SELECT o.name, ${status('o')}, ${audience('o')},
                   jsonb_build_object('kind', 'moment', 'moment', o.moment, 'tierCode', o."tierCode", 'goal', o.goal, 'inactivityDays', o."inactivityDays"),
                   ${places('o')},
                   jsonb_build_object('kind', 'bonus', 'points', o.points),
                   '{}'::jsonb, 'stack', 0, o."validFrom", o."validTo", o.id, 'migration', o."createdAt"
              FROM bonus o
        `);
        // The scheduled ones and those with an end get their lifecycle, started by the outbox's sweep.
        await queryRunner.query(`
            INSERT INTO outbox_entry (process, "subjectId", details)
            SELECT 'campaign_lifecycle', id, '{}'::jsonb FROM campaign
             WHERE status = 'scheduled' OR (status IN ('running', 'paused') AND "endsAt" IS NOT NULL)
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DELETE FROM outbox_entry WHERE process IN ('campaign_lifecycle', 'campaign_notice')`);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_8970ca8ee01cbfc8b914c8d492"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_3e42c111ef31c75174e09592e9"
        `);
        await queryRunner.query(`
            DROP TABLE "campaign"
        `);
    }

}
