import { expect, it } from 'vitest';
import { checkBooster, checkEarningRule, checkTier } from './configuration-checks.js';

it('accepts a sensible booster and names the fields of a bad one', () => {
  expect(checkBooster({ coefficient: '2', 'target.category': 'coffee', validFrom: '2026-06-01', validTo: '2026-07-01' })).toEqual({});
  expect(checkBooster({ coefficient: '2' })).toEqual({ 'target.category': 'fill exactly one of action type, reference or category' });
  expect(checkBooster({ coefficient: '0', 'target.reference': 'SKU' })).toEqual({
    coefficient: 'must be a number between 0.1 and 10 (2 doubles the points)',
  });
  expect(checkBooster({ coefficient: 'lots' }).coefficient).toBeDefined();
  expect(checkBooster({ coefficient: 11 }).coefficient).toBeDefined();
  expect(checkBooster({ coefficient: 2, 'target.actionType': 'review', validFrom: '2026-07-01', validTo: '2026-06-01' })).toEqual({
    validTo: 'must be after the start of the period',
  });
});

it('checks tier thresholds and multipliers', () => {
  expect(checkTier({ threshold: '1000', multiplier: '1.25' })).toEqual({});
  expect(checkTier({ threshold: '-5', multiplier: '0.5' })).toEqual({
    threshold: 'must be a whole number of points, 0 or more',
    multiplier: 'must be between 1 and 5',
  });
});

it('asks an earning rule for the fields of its kind', () => {
  expect(checkEarningRule({ 'formula.kind': 'per_amount', 'formula.pointsPerUnit': '1', 'formula.rounding': 'down' })).toEqual({});
  expect(checkEarningRule({ 'formula.kind': 'per_action', 'formula.points': '25' })).toEqual({
    'formula.actionType': 'is required for per_action',
  });
  expect(
    checkEarningRule({ 'formula.kind': 'per_product', 'formula.reference': 'SKU', 'formula.pointsPerItem': '-3', 'caps.perEvent': '2.5' }),
  ).toEqual({
    'formula.pointsPerItem': 'is required for per_product: a number above 0',
    'caps.perEvent': 'must be a whole number of points above 0, or empty for no cap',
  });
  expect(checkEarningRule({})).toEqual({ 'formula.kind': 'must be one of per_amount, per_product, per_category, per_visit, per_action' });
});
