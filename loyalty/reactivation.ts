import type { DataSource } from 'typeorm';
import { Bonus } from '../entities/index.js';
import { accountByCode, programAccounts } from './ledger/accounts.js';
import type { Ledger } from './ledger/ledger.js';
import { programConfiguration } from './earning/program-configuration.js';
import { computeExpiry } from './earning/expiry-policy.js';
import { Refusal } from './refusal.js';

export interface Reactivation {
  memberId: string;
  displayName: string | null;
  points: number;
  bonusName: string;
  inactiveSince: Date;
}

export interface ReactivationFailure {
  memberId: string;
  reason: string;
}

export interface ReactivationRun {
  given: Reactivation[];
  /** Members the run could not give their bonus to: the run went on without them. */
  failures: ReactivationFailure[];
}

/**
 * Gives each active reactivation bonus to the members inactive for its period (no event since;
 * enrolment counts as activity), once per inactivity period: the ledger key is the member and the
 * date of their last activity, so a second run changes nothing and a later lapse earns it again.
 * The program funds these points.
 */
export async function reactivateInactiveMembers(dataSource: DataSource, ledger: Ledger, now: Date): Promise<ReactivationRun> {
  const bonuses = await dataSource.manager.findBy(Bonus, { moment: 'reactivation', active: true });
  const marketing = await accountByCode(dataSource.manager, programAccounts.marketing);
  const { settings } = await programConfiguration(dataSource.manager);
  const given: Reactivation[] = [];
  const failures: ReactivationFailure[] = [];
  for (const bonus of bonuses) {
    if (!bonus.inactivityDays) continue;
    const inactive: {
      memberId: string;
      accountId: string;
      displayName: string | null;
      enrolledAt: Date;
      lastActivity: Date;
    }[] = await dataSource.query(
      `SELECT m.id AS "memberId", a.id AS "accountId", m."displayName", m."enrolledAt",
                GREATEST(m."enrolledAt", COALESCE(MAX(e."occurredAt"), m."enrolledAt")) AS "lastActivity"
           FROM member m JOIN ledger_account a ON a."memberId" = m.id AND a.unit = 'points'
           LEFT JOIN member_event e ON e."memberId" = m.id
          -- A company's own account is not a person to bring back.
          WHERE NOT EXISTS (SELECT 1 FROM company c WHERE c."memberId" = m.id)
            -- Nor is anyone gone: merged into another member, or erased.
            AND m."mergedIntoId" IS NULL AND NOT EXISTS (SELECT 1 FROM member_erasure x WHERE x."memberId" = m.id)
          GROUP BY m.id, a.id
         HAVING GREATEST(m."enrolledAt", COALESCE(MAX(e."occurredAt"), m."enrolledAt")) < $1::timestamptz - make_interval(days => $2)`,
      [now, bonus.inactivityDays],
    );
    for (const member of inactive) {
      // Everything in the request follows from the inactivity period, never from the day of the run:
      // every later run of the same period is a replay, not a conflict.
      const lastActivity = new Date(member.lastActivity);
      const eligibleSince = new Date(lastActivity.getTime() + bonus.inactivityDays * 86_400_000);
      const key = `${bonus.id}:${member.memberId}:${lastActivity.toISOString()}`;
      // Given for this period already, whatever the bonus says today (the operator may have changed it since).
      if (await alreadyGiven(dataSource, key)) continue;
      const written = await ledger
        .transfer({
          source: 'system:reactivation',
          key,
          legs: [
            {
              debitAccountId: marketing.id,
              creditAccountId: member.accountId,
              amount: bonus.points,
              kind: 'bonus',
              expiresAt: computeExpiry(settings.expiryPolicy, eligibleSince, new Date(member.enrolledAt)),
              references: { bonus: bonus.id },
              explanation: [{ rule: bonus.name, points: bonus.points, reason: `no activity for ${bonus.inactivityDays} days` }],
            },
          ],
        })
        .catch((error: unknown) => {
          // One member the ledger refuses never stops the others: the operator hears of it.
          if (!(error instanceof Refusal)) throw error;
          failures.push({ memberId: member.memberId, reason: error.message });
          return undefined;
        });
      if (written && !written.replayed) {
        given.push({
          memberId: member.memberId,
          displayName: member.displayName,
          points: bonus.points,
          bonusName: bonus.name,
          inactiveSince: new Date(member.lastActivity),
        });
      }
    }
  }
  return { given, failures };
}

async function alreadyGiven(dataSource: DataSource, key: string): Promise<boolean> {
  const [found] = await dataSource.query(
    `SELECT 1 FROM ledger_transfer WHERE "idempotencySource" = 'system:reactivation' AND "idempotencyKey" = $1 LIMIT 1`,
    [key],
  );
  return found !== undefined;
}
