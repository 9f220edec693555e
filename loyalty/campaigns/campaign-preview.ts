import type { EntityManager } from 'typeorm';
import { Booster, EarningRule, MemberEvent, Segment, type RuleExplanation } from '../../entities/index.js';
import { segmentSize } from '../segments/segment-query.js';
import { builtInActionTypes, type EarningEvent, type EventLine, type MemberStanding } from '../earning/earning-event.js';
import { evaluateEarning } from '../earning/evaluate-earning.js';
import { priceRecordedEvent } from '../earning/event-currency.js';
import { ExchangeRateMissingError } from '../store-credit/exchange-rates.js';
import { isUuid } from '../ids.js';
import { sourceFigures } from '../funding-sources/source-figures.js';
import { programSettings } from '../earning/program-settings.js';
import type { CampaignGuardrails } from './campaign-guardrails.js';
import { mechanismOf } from './campaign-mechanism.js';
import type { CampaignDraft } from './campaign-problems.js';

/** The names a campaign's builder offers to choose from. */
export interface CampaignOptions {
  partners: { id: string; name: string }[];
  pointsOfSale: { id: string; name: string; partner: string }[];
  tiers: { code: string; name: string }[];
  /** Saved segments, with how many members each holds now. */
  segments: { id: string; name: string; size: number }[];
  /** The funding sources that may pay it (a partner's: its own), with the points left in each. */
  fundingSources: { id: string; name: string; remaining: number }[];
  /** Categories seen in the events of the last 90 days. */
  categories: string[];
  actionTypes: string[];
  /** A partner's builder: the operator's guardrails, said before they refuse anything. */
  guardrails?: CampaignGuardrails;
}

/** The names a builder offers; a partner's builder only its own partner, stores, categories and actions. */
export async function campaignOptions(manager: EntityManager, ownerPartnerId: string | null = null): Promise<CampaignOptions> {
  const own = ownerPartnerId ? [ownerPartnerId] : null;
  const partners = await manager.query(`SELECT id, name FROM partner WHERE $1::uuid[] IS NULL OR id = ANY($1) ORDER BY name`, [own]);
  const pointsOfSale = await manager.query(
    `SELECT s.id, s.name, p.name AS partner FROM point_of_sale s JOIN partner p ON p.id = s."partnerId"
      WHERE $1::uuid[] IS NULL OR p.id = ANY($1) ORDER BY p.name, s.name`,
    [own],
  );
  const tiers = await manager.query(`SELECT code, name FROM tier ORDER BY threshold`);
  const categories: { category: string }[] = await manager.query(
    `SELECT DISTINCT l->>'category' AS category FROM member_event e, jsonb_array_elements(e.lines) l
      WHERE e."occurredAt" > now() - interval '90 days' AND l->>'category' IS NOT NULL
        AND ($1::uuid[] IS NULL OR e."partnerId" = ANY($1)) ORDER BY 1 LIMIT 200`,
    [own],
  );
  const types: { type: string }[] = await manager.query(
    `SELECT DISTINCT type FROM member_event WHERE $1::uuid[] IS NULL OR "partnerId" = ANY($1) ORDER BY 1 LIMIT 100`,
    [own],
  );
  // Segments are the program's: a partner's campaign cannot target one.
  const segments = ownerPartnerId
    ? []
    : await Promise.all(
        (await manager.find(Segment, { order: { name: 'ASC' } })).map(async (s) => ({
          id: s.id,
          name: s.name,
          size: await segmentSize(manager, s.conditions),
        })),
      );
  const fundingSources = (await sourceFigures(manager, ownerPartnerId ? { ownerPartnerId } : {})).map((f) => ({
    id: f.id,
    name: f.name,
    remaining: f.remaining,
  }));
  return {
    partners,
    pointsOfSale,
    tiers,
    segments,
    fundingSources,
    categories: categories.map((c) => c.category),
    actionTypes: [...new Set([...builtInActionTypes, ...types.map((t) => t.type)])],
    ...(ownerPartnerId ? { guardrails: guardrailsOf(await programSettings(manager)) } : {}),
  };
}

const guardrailsOf = (settings: CampaignGuardrails): CampaignGuardrails => ({
  partnerCampaignMaxMultiplier: settings.partnerCampaignMaxMultiplier,
  partnerCampaignMaxPointsPerUnit: settings.partnerCampaignMaxPointsPerUnit,
  partnerCampaignMaxPoints: settings.partnerCampaignMaxPoints,
  partnerCampaignsNeedApproval: settings.partnerCampaignsNeedApproval,
});

/** What a campaign would do: on a sample basket, to how many members, how fast it would spend its budget. */
export interface CampaignPreview {
  basket: { points: number; campaignPoints: number; explanation: RuleExplanation[] };
  /** Members the audience holds today (before the holdout); null when it depends on each event. */
  audienceSize: number | null;
  /** Points a day it would have given over the last 30 days' events (its audience and holdout aside). */
  pointsPerDay: number;
  /** Days until its budget would be spent at that pace; null without a budget or a pace. */
  budgetDays: number | null;
}

const neutral: MemberStanding = { tierCode: null, tierMultiplier: 1, awardedToday: {}, awardedThisMonth: {} };

async function audienceSize(manager: EntityManager, draft: CampaignDraft): Promise<number | null> {
  const live = `m."mergedIntoId" IS NULL AND NOT EXISTS (SELECT 1 FROM member_erasure x WHERE x."memberId" = m.id)
     AND NOT EXISTS (SELECT 1 FROM company c WHERE c."memberId" = m.id)`;
  const { audience } = draft;
  // A draft not right yet (its checks name why) has no size to tell.
  const days = audience.kind === 'new_members' ? audience.withinDays : audience.kind === 'inactive' ? audience.days : 1;
  if (!Number.isSafeInteger(days) || days < 1 || days > 3_650) return null;
  if (audience.kind === 'partners' && !(audience.partnerIds ?? []).every(isUuid)) return null;
  // A partner learns nothing of the members it may not reach (its save is refused anyway).
  const owner = draft.ownerPartnerId;
  if (owner && (audience.kind === 'segment' || (audience.kind === 'partners' && audience.partnerIds.some((id) => id !== owner))))
    return null;
  const count = async (where: string, parameters: unknown[] = []) =>
    Number((await manager.query(`SELECT count(*)::int AS n FROM member m WHERE ${live} AND ${where}`, parameters))[0].n);
  switch (audience.kind) {
    case 'everyone':
      return count('true');
    case 'partners':
      return count(`EXISTS (SELECT 1 FROM member_link l WHERE l."memberId" = m.id AND l."partnerId" = ANY($1::uuid[]))`, [
        audience.partnerIds,
      ]);
    case 'new_members':
      return count(`m."enrolledAt" > now() - make_interval(days => $1)`, [audience.withinDays]);
    case 'inactive':
      return count(
        `NOT EXISTS (SELECT 1 FROM member_event e WHERE e."memberId" = m.id AND e."occurredAt" > now() - make_interval(days => $1))`,
        [audience.days],
      );
    case 'segment': {
      const segment = isUuid(audience.segmentId) ? await manager.findOneBy(Segment, { id: audience.segmentId }) : null;
      return segment ? segmentSize(manager, segment.conditions) : null;
    }
    case 'tiers':
      return null;
  }
}

/** A recorded event's amounts in the program's currency, or null when no rate converts them any more. */
function inProgramCurrency(manager: EntityManager, e: MemberEvent, programCurrency: string) {
  return priceRecordedEvent(manager, e, programCurrency).catch((error: unknown) => {
    if (error instanceof ExchangeRateMissingError) return null;
    throw error;
  });
}

/**
 * Previews a draft against the program as it runs now: what `basket` would earn with it and
 * without it (with the reasons), the audience's size, and the pace at which it would have given
 * points over the last 30 days.
 */
export async function previewCampaign(
  manager: EntityManager,
  draft: CampaignDraft,
  basket: { partnerId: string; lines: EventLine[]; type?: string },
  now = new Date(),
): Promise<CampaignPreview> {
  const rules = await manager.findBy(EarningRule, { active: true });
  const boosters = await manager.findBy(Booster, { active: true });
  const { currency } = await programSettings(manager);
  // Previewed as running over the preview's moment, wherever its window lies.
  const mechanism = mechanismOf({ ...draft, status: 'running', startsAt: null, endsAt: null });
  const withCampaign = (event: EarningEvent) => {
    if (!mechanism) return evaluateEarning(event, neutral, rules, boosters);
    if (mechanism.kind === 'rule') return evaluateEarning(event, neutral, [...rules, { id: 'preview', ...mechanism.fields }], boosters);
    if (mechanism.kind === 'booster') return evaluateEarning(event, neutral, rules, [...boosters, { id: 'preview', ...mechanism.fields }]);
    return evaluateEarning(event, neutral, rules, boosters);
  };
  // A sample basket as typed: lines that are not lines are left out.
  const lines = (Array.isArray(basket.lines) ? basket.lines : []).filter(
    (l): l is EventLine =>
      l !== null &&
      typeof l === 'object' &&
      Number.isSafeInteger(l.quantity) &&
      l.quantity > 0 &&
      Number.isSafeInteger(l.unitPriceCents) &&
      l.unitPriceCents >= 0 &&
      l.quantity * l.unitPriceCents <= Number.MAX_SAFE_INTEGER,
  );
  const amountCents = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
  const sample: EarningEvent = {
    type: basket.type ?? 'purchase',
    partnerId: basket.partnerId,
    currency,
    // At the campaign's first store when it names stores: there it counts.
    pointOfSaleId: draft.places?.pointOfSaleIds?.[0] ?? undefined,
    amountCents,
    lines,
    occurredAt: now,
  };
  const before = evaluateEarning(sample, neutral, rules, boosters).points;
  const after = withCampaign(sample);

  const since = new Date(now.getTime() - 30 * 86_400_000);
  const events = await manager
    .createQueryBuilder(MemberEvent, 'e')
    .where('e.occurredAt > :since', { since })
    .orderBy('e.occurredAt', 'DESC')
    .limit(5_000)
    .getMany();
  let extra = 0;
  for (const e of events) {
    // Kept as the store sent it: the rules saw it in the program's currency, and so does the preview.
    const priced = await inProgramCurrency(manager, e, currency);
    if (!priced) continue;
    const event: EarningEvent = {
      type: e.type,
      partnerId: e.partnerId,
      currency,
      amountCents: priced.amountCents,
      lines: priced.lines,
      channel: e.channel ?? undefined,
      pointOfSaleId: e.pointOfSaleId ?? undefined,
      occurredAt: e.occurredAt,
    };
    extra += withCampaign(event).points - evaluateEarning(event, neutral, rules, boosters).points;
  }
  const pointsPerDay = Math.round(extra / 30);
  return {
    basket: { points: after.points, campaignPoints: after.points - before, explanation: after.explanation },
    audienceSize: await audienceSize(manager, draft),
    pointsPerDay,
    budgetDays: draft.budgetPoints && pointsPerDay > 0 ? Math.round((draft.budgetPoints - 0) / pointsPerDay) : null,
  };
}
