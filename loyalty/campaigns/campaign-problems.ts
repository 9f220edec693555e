import type { EntityManager } from 'typeorm';
import { bonusMoments, salesChannels, type Campaign } from '../../entities/index.js';
import { isUuid } from '../ids.js';
import { fundingSourceChoiceProblem } from '../funding-sources/funding-sources.js';
import { boosterTarget, mechanismOf } from './campaign-mechanism.js';
import { knownZone } from './zoned-time.js';

/** What a campaign's owner writes; the program decides the rest (status, spending, its mechanism). */
export type CampaignDraft = Pick<
  Campaign,
  | 'name'
  | 'ownerPartnerId'
  | 'audience'
  | 'trigger'
  | 'places'
  | 'reward'
  | 'caps'
  | 'stacking'
  | 'priority'
  | 'startsAt'
  | 'endsAt'
  | 'timeZone'
  | 'budgetPoints'
  | 'holdoutPercent'
> &
  Partial<Pick<Campaign, 'pendingDays'>> & {
    /** The budget that pays its points; absent or null: the wallet of the partner where members earn. */
    fundingSourceId?: string | null;
  };

const positiveWhole = (value: unknown, max: number) => Number.isSafeInteger(value) && (value as number) > 0 && (value as number) <= max;
const nul = (value: unknown) => typeof value === 'string' && value.includes('\u0000');

/** Problems of the trigger and reward, by field (`trigger.category`, `reward.points`, …). */
function termsProblems(draft: CampaignDraft): Record<string, string> {
  const problems: Record<string, string> = {};
  const { trigger, reward } = draft;
  if (trigger.kind === 'product' && !trigger.reference?.trim()) problems['trigger.reference'] = 'name the product reference';
  if (trigger.kind === 'category' && !trigger.category?.trim()) problems['trigger.category'] = 'choose a category';
  if (trigger.kind === 'action' && !trigger.actionType?.trim()) problems['trigger.actionType'] = 'choose an action';
  if (trigger.kind === 'moment' && !bonusMoments.includes(trigger.moment)) problems['trigger.moment'] = 'choose a key moment from the list';
  if (trigger.kind === 'moment' && trigger.moment === 'goal' && !(trigger.goal && positiveWhole(trigger.goal.count, 1_000)))
    problems['trigger.goal'] = 'say how many events, of which type, within how many days';
  if (trigger.kind === 'moment' && trigger.moment === 'reactivation' && !positiveWhole(trigger.inactivityDays, 3_650))
    problems['trigger.inactivityDays'] = 'a whole number of days from 1 to 3650';
  switch (reward.kind) {
    case 'points_per_unit':
      if (!(typeof reward.pointsPerUnit === 'number' && reward.pointsPerUnit > 0 && reward.pointsPerUnit <= 1_000))
        problems['reward.pointsPerUnit'] = 'a number of points greater than 0, at most 1000';
      break;
    case 'fixed_points':
    case 'bonus':
      if (!positiveWhole(reward.points, 1_000_000)) problems['reward.points'] = 'a whole number of points from 1 to 1,000,000';
      break;
    case 'multiplier':
      if (!(typeof reward.coefficient === 'number' && reward.coefficient > 1 && reward.coefficient <= 10))
        problems['reward.coefficient'] = 'a multiplier greater than 1, at most 10 (×2 doubles the points)';
      else if (!boosterTarget(draft)) problems.trigger = 'a multiplier boosts purchases, visits, actions, products or categories';
      break;
  }
  if (!problems.trigger && Object.keys(problems).length === 0 && !mechanismOf({ ...draft, status: 'draft' })) {
    problems.reward =
      draft.trigger.kind === 'moment'
        ? 'a key moment gives a bonus of points'
        : 'this trigger pays fixed points (visits, actions) or points per unit (amounts, categories, products)';
  }
  return problems;
}

/**
 * What is wrong with a draft, by field, in the owner's words (a form shows them all at once);
 * empty when the campaign can be saved. `now` decides what "in the past" means for a new window.
 */
export async function campaignProblems(
  manager: EntityManager,
  draft: CampaignDraft,
  now = new Date(),
  /** A new campaign's window may not begin in the past; a paused one's began already. */
  isNew = false,
): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  const name = typeof draft.name === 'string' ? draft.name.trim() : '';
  if (name.length === 0 || name.length > 100) problems.name = 'give the campaign a name of 1 to 100 characters';
  Object.assign(problems, termsProblems(draft));
  // The database keeps no NUL character: said under the field it came in, not as its error.
  if (nul(draft.name)) problems.name = 'remove the invisible characters';
  for (const [part, terms] of Object.entries({ trigger: draft.trigger, audience: draft.audience })) {
    for (const [key, value] of Object.entries(terms))
      if (nul(value) || (Array.isArray(value) && value.some(nul))) problems[`${part}.${key}`] = 'remove the invisible characters';
  }
  for (const key of ['partnerIds', 'pointOfSaleIds'] as const) {
    if (!(draft.places?.[key] ?? []).every(isUuid)) problems[`places.${key}`] = 'choose from the list';
  }

  const { audience } = draft;
  if (audience.kind === 'tiers') {
    const known = await manager.query(`SELECT code FROM tier WHERE code = ANY($1::text[])`, [audience.tierCodes ?? []]);
    if ((audience.tierCodes ?? []).length === 0 || known.length !== new Set(audience.tierCodes).size)
      problems['audience.tierCodes'] = 'choose one or more tiers';
  }
  if (audience.kind === 'partners' && !(audience.partnerIds ?? []).every(isUuid))
    problems['audience.partnerIds'] = 'choose one or more partners';
  else if (audience.kind === 'partners') {
    const known = await manager.query(`SELECT id FROM partner WHERE id = ANY($1::uuid[])`, [audience.partnerIds ?? []]);
    if ((audience.partnerIds ?? []).length === 0 || known.length !== new Set(audience.partnerIds).size)
      problems['audience.partnerIds'] = 'choose one or more partners';
  }
  // Segments are the program's, over all its members: a partner's campaign does not reach through them.
  if (audience.kind === 'segment' && draft.ownerPartnerId !== null)
    problems['audience.kind'] = "segments are the program's: choose another audience";
  else if (audience.kind === 'segment') {
    const known = isUuid(audience.segmentId) ? await manager.query(`SELECT id FROM segment WHERE id = $1`, [audience.segmentId]) : [];
    if (known.length === 0) problems['audience.segmentId'] = 'choose a segment from the list';
  }
  if (audience.kind === 'new_members' && !positiveWhole(audience.withinDays, 3_650))
    problems['audience.withinDays'] = 'a whole number of days from 1 to 3650';
  if (audience.kind === 'inactive' && !positiveWhole(audience.days, 3_650))
    problems['audience.days'] = 'a whole number of days from 1 to 3650';

  const channels = draft.places?.channels ?? [];
  if (channels.some((channel) => !salesChannels.includes(channel))) problems['places.channels'] = 'choose channels from the list';

  if (!knownZone(draft.timeZone)) problems.timeZone = 'choose a time zone from the list (Europe/Amsterdam, UTC, …)';
  if (draft.startsAt && draft.endsAt && draft.endsAt <= draft.startsAt) problems.endsAt = 'must be after the start';
  if (draft.endsAt && draft.endsAt <= now) problems.endsAt ??= 'must be in the future';
  if (isNew && draft.startsAt && draft.startsAt.getTime() < now.getTime() - 5 * 60_000)
    problems.startsAt = 'must not be in the past (leave it empty to start when scheduled)';
  if (draft.budgetPoints !== null && !positiveWhole(draft.budgetPoints, 1_000_000_000))
    problems.budgetPoints = 'a whole number of points from 1 to 1,000,000,000, or none';
  if (!(Number.isSafeInteger(draft.holdoutPercent) && draft.holdoutPercent >= 0 && draft.holdoutPercent <= 50))
    problems.holdoutPercent = 'a whole percentage from 0 to 50';
  const pendingDays = draft.pendingDays ?? null;
  if (pendingDays !== null && !(Number.isSafeInteger(pendingDays) && pendingDays >= 0 && pendingDays <= 90))
    problems.pendingDays = "a whole number of days from 0 to 90, or empty for the program's";
  const source = await fundingSourceChoiceProblem(manager, draft.fundingSourceId, draft.ownerPartnerId);
  if (source) problems.fundingSourceId = source;
  for (const cap of ['perEvent', 'perMemberPerDay', 'perMemberPerMonth'] as const) {
    const value = draft.caps?.[cap];
    if (value !== undefined && !positiveWhole(value, 1_000_000_000))
      problems[`caps.${cap}`] = 'a whole number of points greater than 0, or none';
  }
  return problems;
}
