import type { EntityManager } from 'typeorm';
import type { EarningRule, Tier } from '../../entities/index.js';
import type { MemberStanding } from './earning-event.js';
import { tierFor } from './tiers.js';

/**
 * Qualifying points: what earns and bonuses credited to the member over the window, less what
 * reversals took back of them. Pending points count once confirmed (their post), never while pending.
 */
export async function qualifyingPoints(manager: EntityManager, memberAccountId: string, since: Date): Promise<number> {
  const [row] = await manager.query(
    `SELECT COALESCE(SUM(CASE WHEN t."creditAccountId" = $1 THEN t.amount ELSE -t.amount END), 0)::bigint AS points
       FROM ledger_transfer t
       LEFT JOIN ledger_transfer o ON o.id = t."reversesTransferId"
      WHERE t."createdAt" >= $2 AND t.phase IN ('single', 'post')
        AND ((t."creditAccountId" = $1 AND t.kind IN ('earn', 'bonus'))
          OR (t."debitAccountId" = $1 AND t.kind = 'reversal' AND o.kind IN ('earn', 'bonus')))`,
    [memberAccountId, since],
  );
  return Number(row.points);
}

/**
 * The member's tier and what each capped rule already gave them today and this month (UTC).
 * Only what the configuration needs is read: no tiers, no qualifying points; no caps, no counts.
 */
export async function memberStanding(
  manager: EntityManager,
  member: { id: string; accountId: string },
  at: Date,
  configuration: { tiers: Tier[]; tierWindowDays: number; rules: Pick<EarningRule, 'caps'>[] },
): Promise<MemberStanding & { qualifying: number }> {
  const { tiers, tierWindowDays, rules } = configuration;
  const qualifying =
    tiers.length > 0 ? await qualifyingPoints(manager, member.accountId, new Date(at.getTime() - tierWindowDays * 86_400_000)) : 0;
  const tier = tierFor(qualifying, tiers);
  const capped = rules.some((r) => r.caps?.perMemberPerDay !== undefined || r.caps?.perMemberPerMonth !== undefined);
  const dayStart = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const monthStart = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  // The day and the month of the event, bounded on both sides: a backdated event counts its own day only.
  const dayEnd = new Date(dayStart.getTime() + 86_400_000);
  const monthEnd = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  const awarded: { ruleId: string; today: string; month: string }[] = capped
    ? await manager.query(
        `SELECT r->>'ruleId' AS "ruleId",
                SUM(CASE WHEN e."occurredAt" >= $2 AND e."occurredAt" < $3 THEN (r->>'points')::bigint ELSE 0 END) AS today,
                SUM((r->>'points')::bigint) AS month
           FROM member_event e, jsonb_array_elements(e."byRule") r
          WHERE e."memberId" = $1 AND e."occurredAt" >= $4 AND e."occurredAt" < $5
          GROUP BY 1`,
        [member.id, dayStart, dayEnd, monthStart, monthEnd],
      )
    : [];
  return {
    tierCode: tier?.code ?? null,
    tierMultiplier: tier?.multiplier ?? 1,
    awardedToday: Object.fromEntries(awarded.map((a) => [a.ruleId, Number(a.today)])),
    awardedThisMonth: Object.fromEntries(awarded.map((a) => [a.ruleId, Number(a.month)])),
    qualifying,
  };
}
