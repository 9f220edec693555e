import { describe, expect, it } from 'vitest';
import { campaignTermsOf, type TermNames } from './campaign-terms.js';

const names: TermNames = {
  partners: { 'p-1': 'Shop bakery' },
  pointsOfSale: { 's-1': 'Counter (Shop bakery)' },
  tiers: { gold: 'Gold' },
  segments: { 'g-1': 'Born in June' },
};

describe('a campaign in words, for whoever approves or answers for it', () => {
  it('names the partners, points of sale, tiers and segments instead of their ids', () => {
    const terms = campaignTermsOf(
      {
        audience: { kind: 'tiers', tierCodes: ['gold'] },
        trigger: { kind: 'category', category: 'bread' },
        reward: { kind: 'multiplier', coefficient: 2, onSpend: true },
        places: { partnerIds: ['p-1'], pointOfSaleIds: ['s-1'] },
        caps: { perMemberPerDay: 1_000 },
      },
      names,
    );
    expect(terms).toEqual({
      audience: 'Members in Gold',
      trigger: 'Buying in the category bread',
      reward: '×2 the points it earns, its share of the spend included',
      places: 'at Shop bakery; at the points of sale Counter (Shop bakery)',
      caps: 'At most 1,000 per member a day',
    });
  });

  it('says everywhere, no cap, and what a removed record was', () => {
    const terms = campaignTermsOf(
      {
        audience: { kind: 'segment', segmentId: 'gone' },
        trigger: { kind: 'product', reference: 'SKU-1' },
        reward: { kind: 'points_per_unit', pointsPerUnit: 5, rounding: 'down' },
        places: {},
        caps: {},
      },
      names,
    );
    expect(terms.audience).toBe('Members of the segment a removed record, as it stands at each event');
    expect(terms.reward).toBe('5 points per item (rounded down)');
    expect(terms.places).toBe('Everywhere in the program');
    expect(terms.caps).toBe('No cap per member');
  });
});
