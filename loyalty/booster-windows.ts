import type { DataSource } from 'typeorm';
import { Booster } from '../entities/index.js';
import { forgetProgramConfiguration } from './earning/program-configuration.js';

export interface BoosterAudience {
  name: string;
  coefficient: number;
  validTo: Date | null;
  emails: string[];
}

/** Switches a booster on or off (earning reads the change within its configuration cache delay). */
export async function setBoosterActive(dataSource: DataSource, boosterId: string, active: boolean): Promise<void> {
  await dataSource.manager.update(Booster, { id: boosterId }, { active });
  forgetProgramConfiguration(dataSource);
}

/**
 * The members a booster is announced to: those of its partners (members with an event there in
 * the last 180 days), or every member with an email when it is not limited to partners.
 */
export async function boosterAudience(dataSource: DataSource, boosterId: string): Promise<BoosterAudience> {
  const booster = await dataSource.manager.findOneByOrFail(Booster, { id: boosterId });
  const rows: { email: string }[] = booster.partnerIds
    ? await dataSource.query(
        `SELECT DISTINCT m.email FROM member m JOIN member_event e ON e."memberId" = m.id
          WHERE m.email IS NOT NULL AND e."partnerId" = ANY($1::uuid[]) AND e."occurredAt" > now() - interval '180 days'`,
        [booster.partnerIds],
      )
    : await dataSource.query(`SELECT email FROM member WHERE email IS NOT NULL`);
  return { name: booster.name, coefficient: booster.coefficient, validTo: booster.validTo, emails: rows.map((r) => r.email) };
}

/** What a booster gave during its window: points awarded under it and members who got them. */
export async function boosterResults(dataSource: DataSource, boosterId: string): Promise<{ name: string; points: number; members: number }> {
  const booster = await dataSource.manager.findOneByOrFail(Booster, { id: boosterId });
  const [row] = await dataSource.query(
    `SELECT COALESCE(SUM((x->>'points')::int), 0)::int AS points, COUNT(DISTINCT e."memberId")::int AS members
       FROM member_event e, jsonb_array_elements(e.explanation) x
      WHERE x->>'rule' = $1 AND ($2::timestamptz IS NULL OR e."occurredAt" >= $2) AND ($3::timestamptz IS NULL OR e."occurredAt" < $3)`,
    [booster.name, booster.validFrom, booster.validTo],
  );
  return { name: booster.name, points: row.points, members: row.members };
}
