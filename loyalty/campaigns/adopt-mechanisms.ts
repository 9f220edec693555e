import type { EntityManager } from 'typeorm';
import { queueProcess } from '../outbox.js';

/**
 * Makes a campaign of every earning rule, booster and bonus that has none, its terms unchanged
 * (what members earn stays the same): for programs set up before campaigns, and the demo's.
 * The Campaigns migration did the same once; this is for data made since by other means.
 */
export async function adoptMechanismsAsCampaigns(manager: EntityManager, createdBy = 'migration'): Promise<number> {
  const status = (m: string) => `CASE WHEN NOT ${m}.active THEN 'paused'
          WHEN ${m}."validTo" IS NOT NULL AND ${m}."validTo" <= now() THEN 'ended'
          WHEN ${m}."validFrom" > now() THEN 'scheduled' ELSE 'running' END`;
  const audience = (m: string) => `CASE WHEN ${m}."tierCodes" IS NULL THEN '{"kind":"everyone"}'::jsonb
          ELSE jsonb_build_object('kind', 'tiers', 'tierCodes', to_jsonb(${m}."tierCodes")) END`;
  const places = (m: string) =>
    `jsonb_strip_nulls(jsonb_build_object('partnerIds', to_jsonb(${m}."partnerIds"), 'channels', to_jsonb(${m}.channels), 'pointOfSaleIds', to_jsonb(${m}."pointOfSaleIds")))`;
  const columns = `(name, status, audience, trigger, places, reward, caps, stacking, priority, "startsAt", "endsAt", "mechanismId", "createdBy", "createdAt")`;
  await manager.query(
    `
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
               r.caps, r.stacking, r.priority, r."validFrom", r."validTo", r.id, $1, r."createdAt"
          FROM earning_rule r WHERE NOT EXISTS (SELECT 1 FROM campaign c WHERE c."mechanismId" = r.id)
    `,
    [createdBy],
  );
  await manager.query(
    `
        INSERT INTO campaign ${columns}
        SELECT b.name, ${status('b')}, ${audience('b')},
               CASE WHEN b.target ? 'reference' THEN jsonb_build_object('kind', 'product', 'reference', b.target->'reference')
                    WHEN b.target ? 'category' THEN jsonb_build_object('kind', 'category', 'category', b.target->'category')
                    ELSE jsonb_build_object('kind', 'action', 'actionType', b.target->'actionType') END,
               ${places('b')},
               jsonb_build_object('kind', 'multiplier', 'coefficient', b.coefficient),
               '{}'::jsonb, 'stack', 0, b."validFrom", b."validTo", b.id, $1, b."createdAt"
          FROM booster b WHERE NOT EXISTS (SELECT 1 FROM campaign c WHERE c."mechanismId" = b.id)
    `,
    [createdBy],
  );
  await manager.query(
    `
        INSERT INTO campaign ${columns}
        SELECT o.name, ${status('o')}, ${audience('o')},
               jsonb_build_object('kind', 'moment', 'moment', o.moment, 'tierCode', o."tierCode", 'goal', o.goal, 'inactivityDays', o."inactivityDays"),
               ${places('o')},
               jsonb_build_object('kind', 'bonus', 'points', o.points),
               '{}'::jsonb, 'stack', 0, o."validFrom", o."validTo", o.id, $1, o."createdAt"
          FROM bonus o WHERE NOT EXISTS (SELECT 1 FROM campaign c WHERE c."mechanismId" = o.id)
    `,
    [createdBy],
  );
  const queued: { id: string }[] = await manager.query(
    `SELECT id FROM campaign c WHERE (status = 'scheduled' OR (status IN ('running', 'paused') AND "endsAt" IS NOT NULL))
          AND NOT EXISTS (SELECT 1 FROM outbox_entry o WHERE o.process = 'campaign_lifecycle' AND o."subjectId" = c.id)`,
  );
  for (const { id } of queued) await queueProcess(manager, 'campaign_lifecycle', id, {});
  return Number((await manager.query(`SELECT count(*)::int AS n FROM campaign`))[0].n);
}
