import type { Bonus, Booster, BoosterTarget, Campaign, EarningRule, RuleFormula } from '../../entities/index.js';

/** How the earning engine runs a campaign: a rule pays points, a booster multiplies them, a bonus marks a moment. */
export type MechanismKind = 'rule' | 'booster' | 'bonus';

type Scope = Pick<EarningRule, 'partnerIds' | 'channels' | 'pointOfSaleIds' | 'tierCodes' | 'validFrom' | 'validTo' | 'active'>;

export type Mechanism =
  | { kind: 'rule'; fields: Scope & Pick<EarningRule, 'name' | 'formula' | 'priority' | 'stacking' | 'caps'> }
  | { kind: 'booster'; fields: Scope & Pick<Booster, 'name' | 'coefficient' | 'target'> }
  | { kind: 'bonus'; fields: Scope & Pick<Bonus, 'name' | 'moment' | 'points' | 'tierCode' | 'goal' | 'inactivityDays'> };

type CampaignTerms = Pick<
  Campaign,
  | 'name'
  | 'ownerPartnerId'
  | 'status'
  | 'audience'
  | 'trigger'
  | 'places'
  | 'reward'
  | 'caps'
  | 'stacking'
  | 'priority'
  | 'startsAt'
  | 'endsAt'
>;

export function mechanismKindOf(campaign: Pick<Campaign, 'reward'>): MechanismKind {
  switch (campaign.reward.kind) {
    case 'multiplier':
      return 'booster';
    case 'bonus':
      return 'bonus';
    case 'points_per_unit':
    case 'fixed_points':
      return 'rule';
  }
}

const listOrNull = <T>(values: T[] | null | undefined): T[] | null => (values && values.length > 0 ? values : null);

/**
 * Where, when and for whom: a partner's campaign counts at its own stores only; the audience's
 * tiers narrow it; only a running campaign is active, and its window bounds it to the instant.
 */
function scopeOf(campaign: CampaignTerms): Scope {
  const places = campaign.places ?? {};
  const partnerIds = campaign.ownerPartnerId
    ? (listOrNull(places.partnerIds)?.filter((id) => id === campaign.ownerPartnerId) ?? [campaign.ownerPartnerId])
    : listOrNull(places.partnerIds);
  return {
    partnerIds,
    channels: listOrNull(places.channels),
    pointOfSaleIds: listOrNull(places.pointOfSaleIds),
    tierCodes: campaign.audience.kind === 'tiers' ? listOrNull(campaign.audience.tierCodes) : null,
    validFrom: campaign.startsAt,
    validTo: campaign.endsAt,
    active: campaign.status === 'running',
  };
}

/** The rule formula of a points campaign; null when its trigger and reward do not make one. */
export function ruleFormula(campaign: Pick<Campaign, 'trigger' | 'reward'>): RuleFormula | null {
  const { trigger, reward } = campaign;
  if (reward.kind === 'points_per_unit') {
    if (trigger.kind === 'purchase_amount') return { kind: 'per_amount', pointsPerUnit: reward.pointsPerUnit, rounding: reward.rounding };
    if (trigger.kind === 'category')
      return { kind: 'per_category', category: trigger.category, pointsPerUnit: reward.pointsPerUnit, rounding: reward.rounding };
    if (trigger.kind === 'product') return { kind: 'per_product', reference: trigger.reference, pointsPerItem: reward.pointsPerUnit };
    return null;
  }
  if (reward.kind === 'fixed_points') {
    if (trigger.kind === 'visit') return { kind: 'per_visit', points: reward.points };
    if (trigger.kind === 'action') return { kind: 'per_action', actionType: trigger.actionType, points: reward.points };
    if (trigger.kind === 'product') return { kind: 'per_product', reference: trigger.reference, pointsPerItem: reward.points };
    return null;
  }
  return null;
}

/** What a booster campaign multiplies; null when its trigger names nothing a booster can target. */
export function boosterTarget(campaign: Pick<Campaign, 'trigger' | 'reward'>): BoosterTarget | null {
  const { trigger } = campaign;
  const spend = campaign.reward.kind === 'multiplier' && campaign.reward.onSpend === true ? { spend: true } : {};
  switch (trigger.kind) {
    case 'purchase_amount':
      return { actionType: 'purchase' };
    case 'visit':
      return { actionType: 'visit' };
    case 'action':
      return { actionType: trigger.actionType };
    case 'product':
      return { reference: trigger.reference, ...spend };
    case 'category':
      return { category: trigger.category, ...spend };
    case 'moment':
      return null;
  }
}

/** The rule, booster or bonus that runs the campaign as it stands; null for a combination that makes none (refused before). */
export function mechanismOf(campaign: CampaignTerms): Mechanism | null {
  const scope = scopeOf(campaign);
  const name = campaign.name;
  switch (campaign.reward.kind) {
    case 'multiplier': {
      const target = boosterTarget(campaign);
      return target ? { kind: 'booster', fields: { ...scope, name, coefficient: campaign.reward.coefficient, target } } : null;
    }
    case 'bonus': {
      const { trigger } = campaign;
      if (trigger.kind !== 'moment') return null;
      return {
        kind: 'bonus',
        fields: {
          ...scope,
          name,
          moment: trigger.moment,
          points: campaign.reward.points,
          tierCode: trigger.tierCode ?? null,
          goal: trigger.goal ?? null,
          inactivityDays: trigger.inactivityDays ?? null,
        },
      };
    }
    case 'points_per_unit':
    case 'fixed_points': {
      const formula = ruleFormula(campaign);
      return formula
        ? {
            kind: 'rule',
            fields: { ...scope, name, formula, priority: campaign.priority, stacking: campaign.stacking, caps: campaign.caps ?? {} },
          }
        : null;
    }
  }
}
