import type { EntityManager } from 'typeorm';
import type { Campaign, CampaignAudience, CampaignPlaces, CampaignReward, CampaignTrigger } from '../../entities/index.js';

/** The names a campaign's terms refer to by id, looked up once. */
export interface TermNames {
  partners: Record<string, string>;
  pointsOfSale: Record<string, string>;
  tiers: Record<string, string>;
  segments: Record<string, string>;
}

/** What a campaign does, in the words an approver or a care agent reads on its page. */
export interface CampaignTerms {
  audience: string;
  trigger: string;
  reward: string;
  places: string;
  caps: string;
}

const grouped = new Intl.NumberFormat('en-GB');
const moments: Record<string, string> = {
  registration: 'joining the program',
  first_purchase: 'a first purchase',
  tier_upgrade: 'moving up a tier',
  goal: 'reaching a goal',
  reactivation: 'coming back after a while',
};
const listed = (ids: string[], names: Record<string, string>) => ids.map((id) => names[id] ?? 'a removed record').join(', ');

function audienceWords(audience: CampaignAudience, names: TermNames): string {
  switch (audience.kind) {
    case 'everyone':
      return 'Every member';
    case 'tiers':
      return `Members in ${listed(audience.tierCodes, names.tiers)}`;
    case 'partners':
      return `Members known to ${listed(audience.partnerIds, names.partners)}`;
    case 'new_members':
      return `Members who joined in the ${audience.withinDays} days before`;
    case 'inactive':
      return `Members with no activity for ${audience.days} days`;
    case 'segment':
      return `Members of the segment ${listed([audience.segmentId], names.segments)}, as it stands at each event`;
  }
}

function triggerWords(trigger: CampaignTrigger): string {
  switch (trigger.kind) {
    case 'purchase_amount':
      return 'A purchase, by its amount';
    case 'product':
      return `Buying the product ${trigger.reference}`;
    case 'category':
      return `Buying in the category ${trigger.category}`;
    case 'visit':
      return 'A visit or a purchase';
    case 'action':
      return `The action ${trigger.actionType.replaceAll('_', ' ')}`;
    case 'moment':
      return `A key moment: ${moments[trigger.moment] ?? trigger.moment}`;
  }
}

function rewardWords(reward: CampaignReward, trigger: CampaignTrigger): string {
  switch (reward.kind) {
    case 'points_per_unit':
      return `${grouped.format(reward.pointsPerUnit)} points per ${trigger.kind === 'product' ? 'item' : 'unit of currency'} (rounded ${reward.rounding})`;
    case 'fixed_points':
      return `${grouped.format(reward.points)} points each time`;
    case 'multiplier':
      return `×${reward.coefficient} the points it earns${reward.onSpend ? ', its share of the spend included' : ''}`;
    case 'bonus':
      return `A bonus of ${grouped.format(reward.points)} points`;
  }
}

function placesWords(places: CampaignPlaces, names: TermNames): string {
  const parts = [
    places.partnerIds?.length ? `at ${listed(places.partnerIds, names.partners)}` : null,
    places.pointOfSaleIds?.length ? `at the points of sale ${listed(places.pointOfSaleIds, names.pointsOfSale)}` : null,
    places.channels?.length ? `through ${places.channels.join(', ')}` : null,
  ].filter((part) => part !== null);
  return parts.length ? parts.join('; ') : 'Everywhere in the program';
}

function capsWords(caps: Campaign['caps']): string {
  const parts = [
    caps.perEvent ? `${grouped.format(caps.perEvent)} points per event` : null,
    caps.perMemberPerDay ? `${grouped.format(caps.perMemberPerDay)} per member a day` : null,
    caps.perMemberPerMonth ? `${grouped.format(caps.perMemberPerMonth)} per member a month` : null,
  ].filter((part) => part !== null);
  return parts.length ? `At most ${parts.join(', ')}` : 'No cap per member';
}

/** A campaign's audience, trigger, reward, places and caps in words, with names for every id. */
export function campaignTermsOf(
  campaign: Pick<Campaign, 'audience' | 'trigger' | 'reward' | 'places' | 'caps'>,
  names: TermNames,
): CampaignTerms {
  return {
    audience: audienceWords(campaign.audience, names),
    trigger: triggerWords(campaign.trigger),
    reward: rewardWords(campaign.reward, campaign.trigger),
    places: placesWords(campaign.places ?? {}, names),
    caps: capsWords(campaign.caps ?? {}),
  };
}

/** The names a campaign's terms need, read from the program. */
export async function termNames(manager: EntityManager): Promise<TermNames> {
  const byId = async (sql: string) =>
    Object.fromEntries(((await manager.query(sql)) as { id: string; name: string }[]).map((row) => [row.id, row.name]));
  return {
    partners: await byId(`SELECT id, name FROM partner`),
    pointsOfSale: await byId(
      `SELECT s.id, s.name || ' (' || p.name || ')' AS name FROM point_of_sale s JOIN partner p ON p.id = s."partnerId"`,
    ),
    tiers: await byId(`SELECT code AS id, name FROM tier`),
    segments: await byId(`SELECT id, name FROM segment`),
  };
}
