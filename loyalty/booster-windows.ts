import type { DataSource } from 'typeorm';
import { Booster, BoosterAnnouncement } from '../entities/index.js';
import { forgetProgramConfiguration } from './earning/program-configuration.js';

export interface BoosterAudience {
  name: string;
  coefficient: number;
  validTo: Date | null;
  /** Members still to tell (those already told are left out). */
  members: { id: string; email: string }[];
}

/**
 * Switches a booster on or off (earning reads the change within its configuration cache delay).
 * False when the booster no longer exists (the operator deleted it to call its window off).
 */
export async function setBoosterActive(dataSource: DataSource, boosterId: string, active: boolean): Promise<boolean> {
  const { affected } = await dataSource.manager.update(Booster, { id: boosterId }, { active });
  forgetProgramConfiguration(dataSource);
  return (affected ?? 0) > 0;
}

/**
 * The members a booster is announced to and not told yet: those of its partners (members with an
 * event there in the last 180 days), or every member with an email when it is not limited to partners.
 */
export async function boosterAudience(dataSource: DataSource, boosterId: string): Promise<BoosterAudience> {
  const booster = await dataSource.manager.findOneByOrFail(Booster, { id: boosterId });
  const notTold = `NOT EXISTS (SELECT 1 FROM booster_announcement b WHERE b."boosterId" = $1 AND b."memberId" = m.id)`;
  const members: { id: string; email: string }[] = booster.partnerIds
    ? await dataSource.query(
        `SELECT DISTINCT m.id, m.email FROM member m JOIN member_event e ON e."memberId" = m.id
          WHERE m.email IS NOT NULL AND e."partnerId" = ANY($2::uuid[]) AND e."occurredAt" > now() - interval '180 days' AND ${notTold}`,
        [booster.id, booster.partnerIds],
      )
    : await dataSource.query(`SELECT m.id, m.email FROM member m WHERE m.email IS NOT NULL AND ${notTold}`, [booster.id]);
  return { name: booster.name, coefficient: booster.coefficient, validTo: booster.validTo, members };
}

/** Records that a member was told of a booster. */
export async function recordBoosterAnnouncement(dataSource: DataSource, boosterId: string, memberId: string): Promise<void> {
  await dataSource.createQueryBuilder().insert().into(BoosterAnnouncement).values({ boosterId, memberId }).orIgnore().execute();
}

/** What a booster gave during its window: points awarded under it and members who got them. */
export async function boosterResults(
  dataSource: DataSource,
  boosterId: string,
): Promise<{ name: string; points: number; members: number }> {
  const booster = await dataSource.manager.findOneByOrFail(Booster, { id: boosterId });
  const [row] = await dataSource.query(
    `SELECT COALESCE(SUM((x->>'points')::bigint), 0) AS points, COUNT(DISTINCT e."memberId")::int AS members
       FROM member_event e, jsonb_array_elements(e.explanation) x
      WHERE x->>'rule' = $1 AND ($2::timestamptz IS NULL OR e."occurredAt" >= $2) AND ($3::timestamptz IS NULL OR e."occurredAt" < $3)`,
    [booster.name, booster.validFrom, booster.validTo],
  );
  return { name: booster.name, points: Number(row.points), members: row.members };
}
