import type { DataSource } from 'typeorm';
import type { Campaign } from '../entities/index.js';

const number = new Intl.NumberFormat('en');

/**
 * What a campaign gives, to whom, for what and where, in words with names: what an operator reads
 * before approving a partner's campaign, and anyone on its page.
 */
export async function campaignTermsInWords(
  dataSource: DataSource,
  campaign: Pick<Campaign, 'ownerPartnerId' | 'audience' | 'trigger' | 'reward' | 'places' | 'caps'>,
): Promise<string> {
  const names = async (sql: string, ids: unknown[]) =>
    ((await dataSource.query(sql, [ids.map(String)])) as { name: string }[]).map((r) => r.name).join(', ') || '—';
  const partners = (ids: string[]) => names(`SELECT name FROM partner WHERE id::text = ANY($1::text[]) ORDER BY name`, ids);
  const { audience, trigger, reward } = campaign;
  const places = campaign.places ?? {};

  const who =
    audience.kind === 'everyone'
      ? 'every member'
      : audience.kind === 'tiers'
        ? `members in ${await names(`SELECT name FROM tier WHERE code = ANY($1::text[]) ORDER BY threshold`, audience.tierCodes ?? [])}`
        : audience.kind === 'partners'
          ? `members known to ${await partners(audience.partnerIds ?? [])}`
          : audience.kind === 'new_members'
            ? `members who joined within ${audience.withinDays} days`
            : audience.kind === 'inactive'
              ? `members inactive for ${audience.days} days or more`
              : `members of the segment ${await names(`SELECT name FROM segment WHERE id::text = ANY($1::text[])`, [audience.segmentId])}`;
  const does = {
    purchase_amount: () => 'buys',
    product: () => (trigger.kind === 'product' ? `buys the product ${trigger.reference}` : ''),
    category: () => (trigger.kind === 'category' ? `buys in the category ${trigger.category}` : ''),
    visit: () => 'visits',
    action: () => (trigger.kind === 'action' ? `does the action ${trigger.actionType}` : ''),
    moment: () => (trigger.kind === 'moment' ? `reaches the key moment ${trigger.moment.replace(/_/g, ' ')}` : ''),
  }[trigger.kind]();
  const gets =
    reward.kind === 'multiplier'
      ? `×${reward.coefficient} the points`
      : reward.kind === 'points_per_unit'
        ? `${number.format(reward.pointsPerUnit)} points per ${trigger.kind === 'product' ? 'item' : 'unit of currency'}`
        : reward.kind === 'bonus'
          ? `a bonus of ${number.format(reward.points)} points`
          : `${number.format(reward.points)} points`;
  const where = [
    places.pointOfSaleIds?.length
      ? await names(`SELECT name FROM point_of_sale WHERE id::text = ANY($1::text[]) ORDER BY name`, places.pointOfSaleIds)
      : places.partnerIds?.length
        ? await partners(places.partnerIds)
        : campaign.ownerPartnerId
          ? `every store of ${await partners([campaign.ownerPartnerId])}`
          : 'every store',
    ...(places.channels?.length ? [`(${places.channels.join(', ')})`] : []),
  ].join(' ');
  const cap = campaign.caps?.perMemberPerDay ? `, at most ${number.format(campaign.caps.perMemberPerDay)} points a member a day` : '';
  return `When ${who} ${does}: ${gets}, at ${where}${cap}.`;
}
