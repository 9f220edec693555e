import type { EntityManager } from 'typeorm';
import { Campaign, Segment } from '../../entities/index.js';
import { Refusal } from '../refusal.js';
import { programConfiguration } from '../earning/program-configuration.js';
import { tierFor } from '../earning/tiers.js';
import { segmentMemberIds } from '../segments/segment-query.js';
import { inHoldout } from './campaign-audience.js';
import { mechanismKindOf } from './campaign-mechanism.js';

const dayMs = 86_400_000;
/** How long after the window a reached member's redemption still counts as having followed the campaign. */
export const followDays = 30;

/** What one group of the audience did over a period. */
export interface GroupFigures {
  label: string;
  members: number;
  visits: number;
  purchases: number;
  spendCents: number;
  /** Members with at least two visits. */
  repeaters: number;
  visitsPerMember: number;
  purchasesPerMember: number;
  spendPerMemberCents: number;
  repeatRate: number;
}

/** The treated group's figure divided by the comparison's; null when there is nothing to divide by. */
export interface Lifts {
  visits: number | null;
  purchases: number | null;
  spend: number | null;
  repeatRate: number | null;
}

export interface DailyResult {
  /** A calendar day in the campaign's time zone (the comparison's values: its period's day of the same rank). */
  day: string;
  pointsIssued: number;
  newlyReached: number;
  treatedVisitsPerMember: number;
  baselineVisitsPerMember: number;
  treatedSpendPerMemberCents: number;
  baselineSpendPerMemberCents: number;
}

export interface CampaignResults {
  campaign: { id: string; name: string; status: string; timeZone: string; holdoutPercent: number };
  started: boolean;
  /** What is measured: from the campaign's start to its end, or to now while it runs. */
  window: { from: Date; to: Date };
  currency: string;
  pointsIssued: number;
  membersReached: number;
  redemptions: { count: number; points: number; members: number; followDays: number };
  comparison: {
    kind: 'holdout' | 'previous_period';
    /** Which comparison this is, in words. */
    description: string;
    baselineWindow: { from: Date; to: Date };
    treated: GroupFigures;
    baseline: GroupFigures;
    lifts: Lifts;
  } | null;
  /** The answers, in plain sentences. */
  findings: string[];
  daily: DailyResult[];
  /** What each figure means, for a hover. */
  definitions: Record<string, string>;
}

export const resultDefinitions: Record<string, string> = {
  window: 'From the campaign’s start (when it was made, for a campaign that started when scheduled) to its end, or to now while it runs.',
  pointsIssued:
    'Points the campaign itself gave during the window: for a points campaign its rule’s points, for a booster only what the multiplier added, for a bonus the bonuses paid. Refunds are not deducted.',
  membersReached: 'Members who got at least one point from the campaign during the window.',
  redemptions: `Rewards redeemed (not cancelled) by reached members after they first got points from the campaign, until ${followDays} days after the window.`,
  audience:
    'Members the campaign is for: everyone, the members of the chosen tiers when it started, members known to the chosen stores, members who joined within the chosen days before or during the window, or members with no activity in the chosen days before it. Merged-away members are left out.',
  treated: 'Members of the audience who could get the campaign (not in the holdout).',
  holdout:
    'A share of the audience (the holdout percentage), chosen from each member’s id by a hash, that never gets the campaign: what the campaign changes is the difference between the two.',
  previousPeriod: 'Without a holdout: the same audience over the same number of days just before the campaign started.',
  visitsPerMember: 'Purchases and visits recorded at the campaign’s stores during the period, divided by the members of the group.',
  purchasesPerMember: 'Purchases recorded at the campaign’s stores during the period, divided by the members of the group.',
  spendPerMember: 'What the group spent in purchases at the campaign’s stores during the period (less refunds), divided by its members.',
  repeatRate: 'Share of the group’s members who came at least twice during the period.',
  lift: 'The group that got the campaign divided by the comparison: 1.4× means 40 % more. Blank when the comparison had none.',
};

interface Row {
  memberId: string;
  at: Date;
  points: number;
}

/** Per member and event, the points the campaign's mechanism gave during the window. */
async function campaignPoints(manager: EntityManager, campaign: Campaign, from: Date, to: Date): Promise<Row[]> {
  const kind = mechanismKindOf(campaign);
  const rows: { memberId: string; at: Date; points: string }[] =
    kind === 'bonus'
      ? await manager.query(
          `SELECT a."memberId", COALESCE(e."occurredAt", t."createdAt") AS at, t.amount AS points
             FROM ledger_transfer t
             JOIN ledger_account a ON a.id = t."creditAccountId"
             LEFT JOIN member_event e ON e.id::text = t."references"->>'event'
            WHERE t.kind = 'bonus' AND t."references"->>'bonus' = $1
              AND COALESCE(e."occurredAt", t."createdAt") >= $2 AND COALESCE(e."occurredAt", t."createdAt") < $3`,
          [campaign.mechanismId, from, to],
        )
      : await manager.query(
          // A rule's points are what it gave but what boosters added to them (theirs); a booster's, what it added.
          `SELECT e."memberId", e."occurredAt" AS at,
                  ${
                    kind === 'rule'
                      ? `(SELECT COALESCE(SUM((r->>'points')::bigint), 0) FROM jsonb_array_elements(e."byRule") r WHERE r->>'ruleId' = $1)
                       - (SELECT COALESCE(SUM((b->>'points')::bigint), 0) FROM jsonb_array_elements(e."byBooster") b WHERE b->>'ruleId' = $1)`
                      : `(SELECT COALESCE(SUM((b->>'points')::bigint), 0) FROM jsonb_array_elements(e."byBooster") b WHERE b->>'boosterId' = $1)`
                  } AS points
             FROM member_event e
            WHERE e."${kind === 'rule' ? 'byRule' : 'byBooster'}" @> jsonb_build_array(jsonb_build_object('${kind === 'rule' ? 'ruleId' : 'boosterId'}', $1::text))
              AND e."occurredAt" >= $2 AND e."occurredAt" < $3`,
          [campaign.mechanismId, from, to],
        );
  return rows.map((r) => ({ memberId: r.memberId, at: new Date(r.at), points: Number(r.points) })).filter((r) => r.points > 0);
}

/** The members the campaign is for, as the comparison counts them. */
async function audienceMembers(manager: EntityManager, campaign: Campaign, from: Date, to: Date): Promise<string[]> {
  const { audience } = campaign;
  const live = `m."mergedIntoId" IS NULL AND m."enrolledAt" < $1`;
  let rows: { id: string }[];
  switch (audience.kind) {
    case 'everyone':
      rows = await manager.query(`SELECT m.id FROM member m WHERE ${live}`, [to]);
      break;
    case 'tiers': {
      // The tier each member had when the campaign started: their qualifying points (earns and
      // bonuses, less reversals of them) over the tier window before it, as the engine counts them.
      const { tiers, settings } = await programConfiguration(manager);
      const qualifying: { id: string; points: string }[] = await manager.query(
        `SELECT m.id,
                (SELECT COALESCE(SUM(CASE WHEN t."creditAccountId" = a.id THEN t.amount ELSE -t.amount END), 0)
                   FROM ledger_transfer t LEFT JOIN ledger_transfer o ON o.id = t."reversesTransferId"
                  WHERE t."createdAt" >= $2 AND t."createdAt" < $3
                    AND ((t."creditAccountId" = a.id AND t.kind IN ('earn', 'bonus'))
                      OR (t."debitAccountId" = a.id AND t.kind = 'reversal' AND o.kind IN ('earn', 'bonus')))) AS points
           FROM member m JOIN ledger_account a ON a."memberId" = m.id AND a.kind = 'member' AND a.unit = 'points'
          WHERE ${live}`,
        [to, new Date(from.getTime() - settings.tierWindowDays * dayMs), from],
      );
      rows = qualifying.filter((q) => audience.tierCodes.includes(tierFor(Number(q.points), tiers)?.code ?? ''));
      break;
    }
    case 'partners':
      rows = await manager.query(
        `SELECT DISTINCT m.id FROM member m JOIN member_link l ON l."memberId" = m.id WHERE ${live} AND l."partnerId" = ANY($2::uuid[])`,
        [to, audience.partnerIds],
      );
      break;
    case 'new_members':
      rows = await manager.query(`SELECT m.id FROM member m WHERE ${live} AND m."enrolledAt" >= $2`, [
        to,
        new Date(from.getTime() - audience.withinDays * dayMs),
      ]);
      break;
    case 'inactive':
      rows = await manager.query(
        `SELECT m.id FROM member m WHERE ${live}
            AND NOT EXISTS (SELECT 1 FROM member_event e WHERE e."memberId" = m.id AND e."occurredAt" >= $2 AND e."occurredAt" < $1)`,
        [from, new Date(from.getTime() - audience.days * dayMs)],
      );
      break;
    case 'segment': {
      // The segment as it stood when the campaign started (its membership moves with every event).
      const segment = await manager.findOneBy(Segment, { id: audience.segmentId });
      return segment ? segmentMemberIds(manager, segment.conditions, from) : [];
    }
  }
  return rows.map((r) => r.id);
}

/** The stores whose events count: the owner's for a partner's campaign, the chosen ones, or all (null). */
function measuredStores(campaign: Campaign): string[] | null {
  const chosen = campaign.places?.partnerIds?.length ? campaign.places.partnerIds : null;
  if (!campaign.ownerPartnerId) return chosen;
  return chosen ? chosen.filter((id) => id === campaign.ownerPartnerId) : [campaign.ownerPartnerId];
}

interface Activity {
  memberId: string;
  day: number;
  visits: number;
  purchases: number;
  spendCents: number;
}

/** What the members did at the stores, per member and 24-hour step from `from`. */
async function activity(
  manager: EntityManager,
  members: string[],
  stores: string[] | null,
  period: { from: Date; to: Date },
  timeZone: string,
): Promise<Activity[]> {
  if (members.length === 0) return [];
  const rows: Record<keyof Activity, string>[] = await manager.query(
    `SELECT e."memberId", (e."occurredAt" AT TIME ZONE $5)::date - ($2::timestamptz AT TIME ZONE $5)::date AS day,
            COUNT(*) FILTER (WHERE e.type IN ('purchase', 'visit')) AS visits,
            COUNT(*) FILTER (WHERE e.type = 'purchase') AS purchases,
            COALESCE(SUM(COALESCE(e."amountCents", 0) - e."refundedCents") FILTER (WHERE e.type = 'purchase'), 0) AS "spendCents"
       FROM member_event e
      WHERE e."memberId" = ANY($1::uuid[]) AND e."occurredAt" >= $2 AND e."occurredAt" < $3
        AND ($4::uuid[] IS NULL OR e."partnerId" = ANY($4::uuid[]))
      GROUP BY 1, 2`,
    [members, period.from, period.to, stores, timeZone],
  );
  return rows.map((r) => ({
    memberId: r.memberId,
    day: Number(r.day),
    visits: Number(r.visits),
    purchases: Number(r.purchases),
    spendCents: Number(r.spendCents),
  }));
}

function figures(label: string, members: number, rows: Activity[]): GroupFigures {
  const perMember = new Map<string, number>();
  for (const r of rows) perMember.set(r.memberId, (perMember.get(r.memberId) ?? 0) + r.visits);
  const sum = (key: 'visits' | 'purchases' | 'spendCents') => rows.reduce((total, r) => total + r[key], 0);
  const visits = sum('visits');
  const purchases = sum('purchases');
  const spendCents = sum('spendCents');
  const repeaters = [...perMember.values()].filter((n) => n >= 2).length;
  const per = (n: number) => (members === 0 ? 0 : n / members);
  return {
    label,
    members,
    visits,
    purchases,
    spendCents,
    repeaters,
    visitsPerMember: per(visits),
    purchasesPerMember: per(purchases),
    spendPerMemberCents: per(spendCents),
    repeatRate: per(repeaters),
  };
}

const ratio = (a: number, b: number, groups: GroupFigures[]): number | null =>
  groups.some((g) => g.members === 0) || b === 0 ? null : Math.round((a / b) * 100) / 100;

const decimal = (n: number) => String(Math.round(n * 100) / 100);
const percent = (n: number) => `${Math.round(n * 100)} %`;

function findingsOf(comparison: NonNullable<CampaignResults['comparison']>, money: (cents: number) => string): string[] {
  const { treated, baseline, lifts, kind } = comparison;
  const holdout = kind === 'holdout';
  const subject = holdout ? 'Members who got the campaign' : 'Members of the audience';
  // "as often as the holdout" / "as often as in the 6 days before the campaign"
  const against = holdout ? 'the holdout' : baseline.label;
  if (treated.members === 0 || (treated.visits === 0 && baseline.visits === 0)) {
    return ['No member of the audience has come by since the campaign started: nothing to compare yet.'];
  }
  if (baseline.members === 0) return ['No member of the audience is in the holdout yet: nothing to compare with.'];
  const visits = `${decimal(treated.visitsPerMember)} vs ${decimal(baseline.visitsPerMember)} visits per member`;
  const spend = `${money(treated.spendPerMemberCents)} vs ${money(baseline.spendPerMemberCents)}`;
  const none = (what: string) => (holdout ? `the holdout ${what}` : `they ${what} ${baseline.label}`);
  return [
    lifts.visits === null
      ? `${subject} made ${decimal(treated.visitsPerMember)} visits per member; ${none('made none')}, so there is no ratio to give.`
      : `${subject} came back ${decimal(lifts.visits)}× as often as ${against} (${visits}).`,
    lifts.spend === null
      ? `They spent ${money(treated.spendPerMemberCents)} per member; ${none('spent nothing')}.`
      : `They spent ${decimal(lifts.spend)}× as much per member as ${against} (${spend}).`,
    `${percent(treated.repeatRate)} of them came at least twice, against ${percent(baseline.repeatRate)} ${holdout ? 'of the holdout' : baseline.label}.`,
  ];
}

/**
 * A campaign's results over its window (start → its end, or now): the points it gave, whom it
 * reached, the redemptions that followed, and whether its audience came back more often and spent
 * more — against its holdout, or without one against the same members' previous period.
 */
export async function campaignResults(manager: EntityManager, campaignId: string, now = new Date()): Promise<CampaignResults> {
  const campaign = await manager.findOneBy(Campaign, { id: campaignId });
  if (!campaign) throw new Refusal('campaign_not_found', 'no such campaign', 'campaign');
  const from = campaign.startsAt ?? campaign.createdAt;
  const to = new Date(Math.min(campaign.endsAt?.getTime() ?? Infinity, now.getTime()));
  const [settings] = await manager.query(
    `SELECT currency FROM member_event WHERE currency IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1`,
  );
  const currency: string = settings?.currency?.trim() || 'EUR';
  const money = (cents: number) => new Intl.NumberFormat('en', { style: 'currency', currency }).format(cents / 100);
  const dateOf = (at: Date) => at.toLocaleDateString('en-CA', { timeZone: campaign.timeZone });
  const base: CampaignResults = {
    campaign: {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      timeZone: campaign.timeZone,
      holdoutPercent: campaign.holdoutPercent,
    },
    started: false,
    window: { from, to: from },
    currency,
    pointsIssued: 0,
    membersReached: 0,
    redemptions: { count: 0, points: 0, members: 0, followDays },
    comparison: null,
    findings: [],
    daily: [],
    definitions: resultDefinitions,
  };
  if (campaign.status === 'draft') return { ...base, findings: ['It has not been scheduled yet: results appear once it runs.'] };
  if (campaign.status === 'awaiting_approval') {
    return { ...base, findings: ['It is waiting for the operator’s approval: results appear once it runs.'] };
  }
  if (to <= from) {
    const when = from.toLocaleString('en-GB', { timeZone: campaign.timeZone, dateStyle: 'medium', timeStyle: 'short' });
    return { ...base, findings: [`It starts on ${when} (${campaign.timeZone}): results appear once it runs.`] };
  }

  const points = await campaignPoints(manager, campaign, from, to);
  const firstReached = new Map<string, Date>();
  for (const row of points) {
    const seen = firstReached.get(row.memberId);
    if (!seen || row.at < seen) firstReached.set(row.memberId, row.at);
  }
  const [redeemed]: { count: string; points: string | null; members: string }[] = await manager.query(
    `SELECT COUNT(*) AS count, SUM(r.points) AS points, COUNT(DISTINCT r."memberId") AS members
       FROM redemption r JOIN unnest($1::uuid[], $2::timestamptz[]) AS f(member, since) ON r."memberId" = f.member
      WHERE r."createdAt" > f.since AND r."createdAt" < $3 AND r.status <> 'cancelled'`,
    [[...firstReached.keys()], [...firstReached.values()], new Date(to.getTime() + followDays * dayMs)],
  );

  const length = to.getTime() - from.getTime();
  const audience = await audienceMembers(manager, campaign, from, to);
  const held = campaign.holdoutPercent > 0;
  const treatedIds = held ? audience.filter((id) => !inHoldout(campaign, id)) : audience;
  const baselineIds = held ? audience.filter((id) => inHoldout(campaign, id)) : audience;
  const baselineWindow = held ? { from, to } : { from: new Date(from.getTime() - length), to: from };
  const stores = measuredStores(campaign);
  const treatedRows = await activity(manager, treatedIds, stores, { from, to }, campaign.timeZone);
  const baselineRows = await activity(manager, baselineIds, stores, baselineWindow, campaign.timeZone);
  const lengthInDays = decimal(length / dayMs);
  const treated = figures(held ? 'Members who got the campaign' : 'During the campaign', treatedIds.length, treatedRows);
  const baseline = figures(held ? 'Holdout' : `in the ${lengthInDays} days before the campaign`, baselineIds.length, baselineRows);
  const groups = [treated, baseline];
  const comparison: NonNullable<CampaignResults['comparison']> = {
    kind: held ? 'holdout' : 'previous_period',
    description: held
      ? `Members who got the campaign (${treated.members}) against its holdout (${baseline.members}, ${campaign.holdoutPercent} % of the audience kept out), over the same days.`
      : `No holdout: the audience (${treated.members} members) during the campaign against the same members in the ${lengthInDays} days before it.`,
    baselineWindow,
    treated,
    baseline,
    lifts: {
      visits: ratio(treated.visitsPerMember, baseline.visitsPerMember, groups),
      purchases: ratio(treated.purchasesPerMember, baseline.purchasesPerMember, groups),
      spend: ratio(treated.spendPerMemberCents, baseline.spendPerMemberCents, groups),
      repeatRate: ratio(treated.repeatRate, baseline.repeatRate, groups),
    },
  };

  // Calendar days in the campaign's time zone, from the one it starts on to the one its window ends in.
  const rankOf = (at: Date) => (Date.parse(dateOf(at)) - Date.parse(dateOf(from))) / dayMs;
  const dayCount = rankOf(new Date(to.getTime() - 1)) + 1;
  const daily: DailyResult[] = Array.from({ length: dayCount }, (_, rank) => ({
    day: new Date(Date.parse(dateOf(from)) + rank * dayMs).toISOString().slice(0, 10),
    pointsIssued: 0,
    newlyReached: 0,
    treatedVisitsPerMember: 0,
    baselineVisitsPerMember: 0,
    treatedSpendPerMemberCents: 0,
    baselineSpendPerMemberCents: 0,
  }));
  for (const row of points) daily[rankOf(row.at)]!.pointsIssued += row.points;
  for (const at of firstReached.values()) daily[rankOf(at)]!.newlyReached += 1;
  // The comparison's period is counted in days from its own first day: day n against day n.
  for (const row of treatedRows) {
    const day = daily[row.day];
    if (!day) continue;
    day.treatedVisitsPerMember += row.visits / treated.members;
    day.treatedSpendPerMemberCents += row.spendCents / treated.members;
  }
  for (const row of baselineRows) {
    const day = daily[row.day];
    if (!day) continue;
    day.baselineVisitsPerMember += row.visits / baseline.members;
    day.baselineSpendPerMemberCents += row.spendCents / baseline.members;
  }

  const pointsIssued = points.reduce((sum, r) => sum + r.points, 0);
  const redemptions = {
    count: Number(redeemed?.count ?? 0),
    points: Number(redeemed?.points ?? 0),
    members: Number(redeemed?.members ?? 0),
    followDays,
  };
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const summary = `It gave ${plural(pointsIssued, 'point')} to ${plural(firstReached.size, 'member')}; ${plural(redemptions.count, 'redemption')} by them followed.`;
  return {
    ...base,
    started: true,
    window: { from, to },
    pointsIssued,
    membersReached: firstReached.size,
    redemptions,
    comparison,
    findings: [summary, ...findingsOf(comparison, money)],
    daily,
  };
}
