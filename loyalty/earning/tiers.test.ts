import { expect, it } from 'vitest';
import { tierFor, upgradeBetween, type Tier } from './tiers.js';

const tiers: Tier[] = [
  { code: 'gold', name: 'Gold', threshold: 5_000, multiplier: 1.5, benefits: ['free delivery'] },
  { code: 'silver', name: 'Silver', threshold: 1_000, multiplier: 1.2, benefits: [] },
  { code: 'bronze', name: 'Bronze', threshold: 0, multiplier: 1, benefits: [] },
];

it('places a member in the highest tier their qualifying points reach', () => {
  expect(tierFor(0, tiers)?.code).toBe('bronze');
  expect(tierFor(999, tiers)?.code).toBe('bronze');
  expect(tierFor(1_000, tiers)?.code).toBe('silver');
  expect(tierFor(12_000, tiers)?.code).toBe('gold');
  expect(
    tierFor(
      10,
      tiers.filter((t) => t.threshold > 0),
    ),
  ).toBeNull();
});

it('reports an upgrade at once, and no change within a tier or going down', () => {
  expect(upgradeBetween(900, 1_100, tiers)?.code).toBe('silver');
  expect(upgradeBetween(900, 6_000, tiers)?.code).toBe('gold');
  expect(upgradeBetween(1_100, 1_900, tiers)).toBeNull();
  expect(upgradeBetween(6_000, 900, tiers)).toBeNull();
});
