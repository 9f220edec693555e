import { randomUUID } from 'node:crypto';
import type { CampaignDraft } from '../../loyalty/campaigns/campaign-problems.js';

/** A campaign as a builder would send it: ×2 on kitchen purchases for everyone, for a week from now, no budget. */
export function campaignDraft(overrides: Partial<CampaignDraft> = {}): CampaignDraft {
  return {
    name: `Campaign ${randomUUID().slice(0, 6)}`,
    ownerPartnerId: null,
    audience: { kind: 'everyone' },
    trigger: { kind: 'category', category: 'kitchen' },
    places: {},
    reward: { kind: 'multiplier', coefficient: 2, onSpend: true },
    caps: {},
    stacking: 'stack',
    priority: 0,
    startsAt: null,
    endsAt: new Date(Date.now() + 7 * 86_400_000),
    timeZone: 'Europe/Amsterdam',
    budgetPoints: null,
    holdoutPercent: 0,
    ...overrides,
  };
}
