import { expect, it } from 'vitest';
import type { Badge } from '../../entities/index.js';
import { badgesCouldAward, ruleProgress } from './badge-awards.js';

const badge = (fields: Partial<Badge>) =>
  ({ status: 'live', rule: 'first_purchase', partnerId: null, threshold: null, ...fields }) as Badge;

it("queues a purchase's badge step only when a live badge's own rule could award on it", () => {
  const purchaseAt = (partnerId: string) => ({ type: 'purchase', partnerId });
  expect(badgesCouldAward([badge({})], purchaseAt('a'))).toBe(true);
  expect(badgesCouldAward([badge({})], { type: 'review', partnerId: 'a' })).toBe(false);
  expect(badgesCouldAward([badge({ status: 'draft' })], purchaseAt('a'))).toBe(false);
  // Only a challenge awards it: the challenge's own step does.
  expect(badgesCouldAward([badge({ rule: 'challenge' })], purchaseAt('a'))).toBe(false);
  // Another partner's private badge never counts this partner's purchases.
  expect(badgesCouldAward([badge({ partnerId: 'b' })], purchaseAt('a'))).toBe(false);
  expect(badgesCouldAward([badge({ partnerId: 'a' })], purchaseAt('a'))).toBe(true);
});

it("measures each rule's progress from the member's lifetime purchases", () => {
  const record = { purchases: 9, partners: 2 };
  expect(ruleProgress(badge({}), record)).toEqual({ value: 1, target: 1 });
  expect(ruleProgress(badge({ rule: 'purchase_count', threshold: 10 }), record)).toEqual({ value: 9, target: 10 });
  expect(ruleProgress(badge({ rule: 'distinct_partners', threshold: 3 }), record)).toEqual({ value: 2, target: 3 });
  expect(ruleProgress(badge({ rule: 'challenge' }), record)).toBeNull();
});
