import type { EntityManager } from 'typeorm';
import type { ProgramSettings } from '../../entities/index.js';
import { isUuid } from '../ids.js';
import type { CampaignDraft } from './campaign-problems.js';

export type CampaignGuardrails = Pick<
  ProgramSettings,
  'partnerCampaignMaxMultiplier' | 'partnerCampaignMaxPointsPerUnit' | 'partnerCampaignMaxPoints' | 'partnerCampaignsNeedApproval'
>;

const points = new Intl.NumberFormat('en');

/**
 * What the operator's guardrails refuse in a partner's campaign, by field, in the partner's words:
 * a reward above the operator's limits, and places or audiences of another partner (a partner's
 * campaign counts at its own stores, among members it knows). The operator's own campaigns have none.
 */
export async function guardrailProblems(
  manager: EntityManager,
  draft: CampaignDraft,
  guardrails: CampaignGuardrails,
): Promise<Record<string, string>> {
  const owner = draft.ownerPartnerId;
  if (!owner) return {};
  const problems: Record<string, string> = {};
  const { reward } = draft;
  const limit = 'the operator’s limit for partner campaigns';
  if (reward.kind === 'multiplier' && reward.coefficient > guardrails.partnerCampaignMaxMultiplier)
    problems['reward.coefficient'] = `at most ×${guardrails.partnerCampaignMaxMultiplier} (${limit})`;
  if (reward.kind === 'points_per_unit' && reward.pointsPerUnit > guardrails.partnerCampaignMaxPointsPerUnit)
    problems['reward.pointsPerUnit'] = `at most ${guardrails.partnerCampaignMaxPointsPerUnit} points per unit (${limit})`;
  if ((reward.kind === 'fixed_points' || reward.kind === 'bonus') && reward.points > guardrails.partnerCampaignMaxPoints)
    problems['reward.points'] = `at most ${points.format(guardrails.partnerCampaignMaxPoints)} points (${limit})`;

  if ((draft.places?.partnerIds ?? []).some((id) => id !== owner)) problems['places.partnerIds'] = 'your campaign runs at your own stores';
  const stores = (draft.places?.pointOfSaleIds ?? []).filter(isUuid);
  if (stores.length > 0) {
    const own: unknown[] = await manager.query(`SELECT id FROM point_of_sale WHERE id = ANY($1::uuid[]) AND "partnerId" = $2`, [
      stores,
      owner,
    ]);
    if (own.length !== new Set(stores).size) problems['places.pointOfSaleIds'] = 'choose among your own points of sale';
  }
  if (draft.audience.kind === 'partners' && (draft.audience.partnerIds ?? []).some((id) => id !== owner))
    problems['audience.partnerIds'] = 'your campaign may reach the members you know, not another partner’s';
  return problems;
}
