import { describe, expect, it } from 'vitest';
import type { EarningEvent, MemberStanding } from './earning-event.js';
import type { BoosterTerms as Booster, RuleTerms as EarningRule } from './earning-rule.js';
import { evaluateEarning } from './evaluate-earning.js';

const shop = 'partner-shop';
const cafe = 'partner-cafe';
const at = new Date('2026-06-15T12:00:00Z');
const purchase = (extra: Partial<EarningEvent> = {}): EarningEvent => ({
  type: 'purchase',
  partnerId: shop,
  amountCents: 4_250,
  currency: 'EUR',
  channel: 'web',
  occurredAt: at,
  lines: [
    { reference: 'SKU-MUG', category: 'kitchen', quantity: 2, unitPriceCents: 1_000 },
    { reference: 'SKU-BOOK', category: 'books', quantity: 1, unitPriceCents: 2_250 },
  ],
  ...extra,
});
const member = (extra: Partial<MemberStanding> = {}): MemberStanding => ({
  tierCode: null,
  tierMultiplier: 1,
  awardedToday: {},
  awardedThisMonth: {},
  ...extra,
});
let ids = 0;
const rule = (formula: EarningRule['formula'], extra: Partial<EarningRule> = {}): EarningRule => ({
  id: `rule-${++ids}`,
  name: extra.name ?? formula.kind,
  formula,
  priority: 0,
  stacking: 'stack',
  ...extra,
});
const perEuro = (rate = 1, extra: Partial<EarningRule> = {}) => rule({ kind: 'per_amount', pointsPerUnit: rate, rounding: 'down' }, extra);

describe('rule types', () => {
  it('pays per amount spent, with the rounding asked for', () => {
    expect(evaluateEarning(purchase(), member(), [perEuro(2)], []).points).toBe(85);
    const third = (rounding: 'down' | 'up' | 'nearest') => rule({ kind: 'per_amount', pointsPerUnit: 0.1, rounding });
    expect(evaluateEarning(purchase(), member(), [third('down')], []).points).toBe(4);
    expect(evaluateEarning(purchase(), member(), [third('up')], []).points).toBe(5);
    expect(evaluateEarning(purchase(), member(), [third('nearest')], []).points).toBe(4);
    expect(evaluateEarning(purchase({ amountCents: 300 }), member(), [third('up')], []).points).toBe(1);
  });

  it("counts a unit of the program's currency, whatever its decimals: ¥1,200 at 1 per unit is 1,200 points, 1.250 dinars 1", () => {
    const yen = purchase({
      currency: 'JPY',
      amountCents: 1_200,
      lines: [{ reference: 'RAMEN', category: 'food', quantity: 2, unitPriceCents: 600 }],
    });
    const food = rule({ kind: 'per_category', category: 'food', pointsPerUnit: 1, rounding: 'down' });
    const outcome = evaluateEarning(yen, member(), [perEuro(1), food], []);
    expect(outcome.points).toBe(2_400);
    expect(outcome.explanation.map((e) => e.reason)).toEqual(['spent 1200 at 1 per unit', 'spent 1200 on food at 1 per unit']);
    expect(evaluateEarning(purchase({ currency: 'KWD', amountCents: 1_250, lines: [] }), member(), [perEuro(1)], []).explanation).toEqual([
      { rule: 'per_amount', points: 1, reason: 'spent 1.250 at 1 per unit' },
    ]);
  });

  it('pays per product reference and per category from the line items', () => {
    const mugs = rule({ kind: 'per_product', reference: 'SKU-MUG', pointsPerItem: 15 });
    const books = rule({ kind: 'per_category', category: 'books', pointsPerUnit: 3, rounding: 'down' });
    const outcome = evaluateEarning(purchase(), member(), [mugs, books], []);
    expect(outcome.points).toBe(30 + 67);
    expect(outcome.explanation.map((e) => e.reason)).toEqual(['2 × SKU-MUG at 15 each', 'spent 22.50 on books at 3 per unit']);
    expect(evaluateEarning(purchase({ lines: [] }), member(), [mugs, books], []).points).toBe(0);
  });

  it('pays per visit for purchases and per action for the matching action type only', () => {
    const visit = rule({ kind: 'per_visit', points: 10 });
    const review = rule({ kind: 'per_action', actionType: 'review', points: 50 });
    const referral = rule({ kind: 'per_action', actionType: 'referral', points: 200 });
    expect(evaluateEarning(purchase(), member(), [visit, review, referral], []).points).toBe(10);
    const reviewed = evaluateEarning(
      { type: 'review', partnerId: shop, currency: 'EUR', occurredAt: at },
      member(),
      [visit, review, referral],
      [],
    );
    expect(reviewed.points).toBe(50);
    expect(
      evaluateEarning(
        { type: 'unboxing_video', partnerId: shop, currency: 'EUR', occurredAt: at },
        member(),
        [rule({ kind: 'per_action', actionType: 'unboxing_video', points: 70 })],
        [],
      ).points,
    ).toBe(70);
  });
});

describe('limits', () => {
  it('applies a rule only to its partners, channels, points of sale, tiers and validity period', () => {
    const cases: [Partial<EarningRule>, Partial<EarningEvent>, Partial<MemberStanding>, number][] = [
      [{ partnerIds: [cafe] }, {}, {}, 0],
      [{ partnerIds: [shop, cafe] }, {}, {}, 42],
      [{ channels: ['store'] }, {}, {}, 0],
      [{ channels: ['store'] }, { channel: 'store' }, {}, 42],
      [{ channels: ['web'] }, { channel: undefined }, {}, 0],
      [{ pointOfSaleIds: ['pos-1'] }, { pointOfSaleId: 'pos-2' }, {}, 0],
      [{ pointOfSaleIds: ['pos-1'] }, { pointOfSaleId: 'pos-1' }, {}, 42],
      [{ tierCodes: ['gold'] }, {}, { tierCode: 'silver' }, 0],
      [{ tierCodes: ['gold'] }, {}, { tierCode: 'gold' }, 42],
      [{ validFrom: new Date('2026-07-01') }, {}, {}, 0],
      [{ validTo: at }, {}, {}, 0],
      [{ validFrom: new Date('2026-06-01'), validTo: new Date('2026-07-01') }, {}, {}, 42],
    ];
    for (const [scope, event, standing, expected] of cases) {
      expect(evaluateEarning(purchase(event), member(standing), [perEuro(1, scope)], []).points, JSON.stringify(scope)).toBe(expected);
    }
  });

  it('caps a rule per event, per member per day and per member per month, and says so', () => {
    const capped = perEuro(10, { caps: { perEvent: 300, perMemberPerDay: 500, perMemberPerMonth: 1_000 } });
    expect(evaluateEarning(purchase(), member(), [capped], []).points).toBe(300);
    const late = evaluateEarning(purchase(), member({ awardedToday: { [capped.id]: 350 } }), [capped], []);
    expect(late.points).toBe(150);
    expect(late.explanation.at(-1)?.reason).toBe('capped at 500 per day (350 already today)');
    expect(evaluateEarning(purchase(), member({ awardedThisMonth: { [capped.id]: 1_000 } }), [capped], []).points).toBe(0);
    expect(evaluateEarning(purchase(), member({ awardedToday: { [capped.id]: 900 } }), [capped], []).byRule).toEqual([]);
  });
});

describe('priority and stacking', () => {
  it('adds stacking rules and keeps only the best of the best-only rules', () => {
    const base = perEuro(1, { name: 'base' });
    const summer = perEuro(3, { name: 'summer offer', stacking: 'best_only', priority: 5 });
    const vip = perEuro(2, { name: 'vip offer', stacking: 'best_only', priority: 9 });
    const outcome = evaluateEarning(purchase(), member(), [base, summer, vip], []);
    expect(outcome.points).toBe(42 + 127);
    expect(outcome.byRule.map((r) => r.ruleId)).toEqual([base.id, summer.id]);
  });

  it('breaks a tie between best-only rules by priority', () => {
    const low = perEuro(1, { name: 'low', stacking: 'best_only', priority: 1 });
    const high = perEuro(1, { name: 'high', stacking: 'best_only', priority: 2 });
    expect(evaluateEarning(purchase(), member(), [low, high], []).explanation[0]?.rule).toBe('high');
  });
});

describe('boosters and tiers', () => {
  const booster = (coefficient: number, target: Booster['target'], extra: Partial<Booster> = {}): Booster => ({
    id: `booster-${++ids}`,
    name: `×${coefficient}`,
    coefficient,
    target,
    ...extra,
  });

  it('multiplies the points of the action, product or category it targets, within its period', () => {
    const mugs = rule({ kind: 'per_product', reference: 'SKU-MUG', pointsPerItem: 15 });
    const spend = perEuro(1);
    expect(evaluateEarning(purchase(), member(), [mugs, spend], [booster(2, { reference: 'SKU-MUG' })]).points).toBe(60 + 42);
    expect(evaluateEarning(purchase(), member(), [mugs, spend], [booster(2, { category: 'kitchen' })]).points).toBe(60 + 42);
    expect(evaluateEarning(purchase(), member(), [mugs, spend], [booster(1.5, { actionType: 'purchase' })]).points).toBe(45 + 63);
    const ended = booster(3, { actionType: 'purchase' }, { validTo: new Date('2026-06-01') });
    expect(evaluateEarning(purchase(), member(), [spend], [ended]).points).toBe(42);
  });

  it('uses the strongest booster, not their product, and boosts before capping', () => {
    const spend = perEuro(1, { caps: { perEvent: 100 } });
    const outcome = evaluateEarning(
      purchase(),
      member(),
      [spend],
      [booster(2, { actionType: 'purchase' }), booster(3, { actionType: 'purchase' })],
    );
    expect(outcome.points).toBe(100);
    expect(outcome.explanation.map((e) => e.points)).toEqual([42, 84, -26]);
  });

  it('applies the tier multiplier last, explained', () => {
    const outcome = evaluateEarning(purchase(), member({ tierCode: 'gold', tierMultiplier: 1.5 }), [perEuro(1)], []);
    expect(outcome.points).toBe(63);
    expect(outcome.explanation.at(-1)).toEqual({ rule: 'tier gold', points: 21, reason: 'tier multiplier ×1.5' });
  });
});
