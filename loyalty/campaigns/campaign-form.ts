import type { Campaign, CampaignAudience, CampaignReward, CampaignTrigger, Rounding, SalesChannel } from '../../entities/index.js';
import type { CampaignDraft } from './campaign-problems.js';
import { knownZone, zonedInstant, zonedLocal } from './zoned-time.js';

/** A campaign as a builder sends it: plain strings and numbers, its window in wall-clock time of its time zone. */
export interface CampaignForm {
  name?: unknown;
  audience?: { kind?: unknown; tierCodes?: unknown; partnerIds?: unknown; withinDays?: unknown; days?: unknown; segmentId?: unknown };
  trigger?: { kind?: unknown; reference?: unknown; category?: unknown; actionType?: unknown; moment?: unknown };
  reward?: { kind?: unknown; pointsPerUnit?: unknown; points?: unknown; coefficient?: unknown };
  places?: { partnerIds?: unknown; channels?: unknown; pointOfSaleIds?: unknown };
  perMemberPerDay?: unknown;
  startsAt?: unknown;
  endsAt?: unknown;
  timeZone?: unknown;
  budgetPoints?: unknown;
  holdoutPercent?: unknown;
  pendingDays?: unknown;
  fundingSourceId?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : []);
/** A whole number as typed ("1 000" is not one); NaN for anything else, so the checks name it. */
const whole = (value: unknown) => (typeof value === 'number' ? value : /^-?\d+$/.test(text(value)) ? Number(text(value)) : Number.NaN);
const decimal = (value: unknown) =>
  typeof value === 'number' ? value : /^\d+([.,]\d+)?$/.test(text(value)) ? Number(text(value).replace(',', '.')) : Number.NaN;

/**
 * Reads a builder's form into a draft, or the problems of what could not be read at all (a kind
 * not in the lists, a date that is not one), by field; the draft's own checks come after.
 */
export function readCampaignForm(
  sent: CampaignForm,
  ownerPartnerId: string | null,
): { draft: CampaignDraft; problems: Record<string, string> } {
  const form: CampaignForm = sent !== null && typeof sent === 'object' && !Array.isArray(sent) ? sent : {};
  const problems: Record<string, string> = {};
  const timeZone = text(form.timeZone) || 'UTC';
  const when = (field: 'startsAt' | 'endsAt') => {
    const typed = text(form[field]);
    if (!typed) return null;
    const instant = zonedInstant(typed, timeZone);
    if (!instant && knownZone(timeZone)) problems[field] = 'a date and time';
    return instant;
  };

  const a = form.audience ?? {};
  let audience: CampaignAudience = { kind: 'everyone' };
  if (a.kind === 'tiers') audience = { kind: 'tiers', tierCodes: strings(a.tierCodes) };
  else if (a.kind === 'partners') audience = { kind: 'partners', partnerIds: strings(a.partnerIds) };
  else if (a.kind === 'new_members') audience = { kind: 'new_members', withinDays: whole(a.withinDays) };
  else if (a.kind === 'inactive') audience = { kind: 'inactive', days: whole(a.days) };
  else if (a.kind === 'segment') audience = { kind: 'segment', segmentId: text(a.segmentId) };
  else if (a.kind !== 'everyone') problems['audience.kind'] = 'choose who the campaign is for';

  const t = form.trigger ?? {};
  let trigger: CampaignTrigger = { kind: 'purchase_amount' };
  if (t.kind === 'product') trigger = { kind: 'product', reference: text(t.reference) };
  else if (t.kind === 'category') trigger = { kind: 'category', category: text(t.category) };
  else if (t.kind === 'visit') trigger = { kind: 'visit' };
  else if (t.kind === 'action') trigger = { kind: 'action', actionType: text(t.actionType) };
  else if (t.kind === 'moment') trigger = { kind: 'moment', moment: text(t.moment) as never };
  else if (t.kind !== 'purchase_amount') problems['trigger.kind'] = 'choose what the member does';

  const r = form.reward ?? {};
  let reward: CampaignReward = { kind: 'fixed_points', points: whole(r.points) };
  if (r.kind === 'points_per_unit')
    reward = { kind: 'points_per_unit', pointsPerUnit: decimal(r.pointsPerUnit), rounding: 'down' as Rounding };
  else if (r.kind === 'multiplier') reward = { kind: 'multiplier', coefficient: decimal(r.coefficient), onSpend: true };
  else if (r.kind === 'bonus') reward = { kind: 'bonus', points: whole(r.points) };
  else if (r.kind !== 'fixed_points') problems['reward.kind'] = 'choose what the member gets';

  const p = form.places ?? {};
  const perDay = text(form.perMemberPerDay) === '' ? undefined : whole(form.perMemberPerDay);
  const budget = text(form.budgetPoints) === '' && typeof form.budgetPoints !== 'number' ? null : whole(form.budgetPoints);
  const draft: CampaignDraft = {
    name: text(form.name),
    ownerPartnerId,
    audience,
    trigger,
    places: {
      partnerIds: strings(p.partnerIds),
      channels: strings(p.channels) as SalesChannel[],
      pointOfSaleIds: strings(p.pointOfSaleIds),
    },
    reward,
    caps: perDay === undefined ? {} : { perMemberPerDay: perDay },
    stacking: 'stack',
    priority: 0,
    startsAt: when('startsAt'),
    endsAt: when('endsAt'),
    timeZone,
    budgetPoints: budget,
    holdoutPercent: text(form.holdoutPercent) === '' && typeof form.holdoutPercent !== 'number' ? 0 : whole(form.holdoutPercent),
    pendingDays: text(form.pendingDays) === '' && typeof form.pendingDays !== 'number' ? null : whole(form.pendingDays),
    fundingSourceId: text(form.fundingSourceId) || null,
  };
  return { draft, problems };
}

/** A builder's fields, filled in from a campaign to edit it (its window in wall-clock time of its time zone). */
export function builderValues(campaign: Campaign): Record<string, string> {
  const { audience, trigger, reward } = campaign;
  return {
    name: campaign.name,
    audience: audience.kind,
    tierCode: audience.kind === 'tiers' ? (audience.tierCodes[0] ?? '') : '',
    partnerId: audience.kind === 'partners' ? (audience.partnerIds[0] ?? '') : '',
    segmentId: audience.kind === 'segment' ? audience.segmentId : '',
    days: String(audience.kind === 'new_members' ? audience.withinDays : audience.kind === 'inactive' ? audience.days : 30),
    trigger: trigger.kind,
    category: trigger.kind === 'category' ? trigger.category : '',
    reference: trigger.kind === 'product' ? trigger.reference : '',
    actionType: trigger.kind === 'action' ? trigger.actionType : 'review',
    moment: trigger.kind === 'moment' ? trigger.moment : 'first_purchase',
    reward: reward.kind,
    amount: String(
      reward.kind === 'multiplier' ? reward.coefficient : reward.kind === 'points_per_unit' ? reward.pointsPerUnit : reward.points,
    ),
    startsAt: campaign.startsAt ? zonedLocal(campaign.startsAt, campaign.timeZone) : '',
    endsAt: campaign.endsAt ? zonedLocal(campaign.endsAt, campaign.timeZone) : '',
    timeZone: campaign.timeZone,
    budgetPoints: campaign.budgetPoints === null ? '' : String(campaign.budgetPoints),
    holdoutPercent: String(campaign.holdoutPercent),
    pendingDays: campaign.pendingDays === null ? '' : String(campaign.pendingDays),
    fundingSourceId: campaign.fundingSourceId ?? '',
  };
}

/**
 * A campaign as edited in the builder: what the builder shows, as sent; what it does not show (caps,
 * stacking, priority, a key moment's tier or goal, a rule's rounding) as the campaign had it.
 */
export function editedDraft(campaign: Campaign, draft: CampaignDraft): CampaignDraft {
  const sameMoment =
    draft.trigger.kind === 'moment' && campaign.trigger.kind === 'moment' && draft.trigger.moment === campaign.trigger.moment;
  return {
    ...draft,
    ownerPartnerId: campaign.ownerPartnerId,
    caps: campaign.caps,
    stacking: campaign.stacking,
    priority: campaign.priority,
    trigger: sameMoment ? { ...campaign.trigger, ...draft.trigger } : draft.trigger,
    reward:
      draft.reward.kind === campaign.reward.kind ? ({ ...draft.reward, ...unshown(campaign.reward) } as CampaignReward) : draft.reward,
  };
}

const unshown = (reward: CampaignReward) =>
  reward.kind === 'points_per_unit' ? { rounding: reward.rounding } : reward.kind === 'multiplier' ? { onSpend: reward.onSpend } : {};
