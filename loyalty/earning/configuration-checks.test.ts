import { expect, it } from 'vitest';
import { checkBooster, checkTier } from './configuration-checks.js';

it('accepts a sensible booster and names the fields of a bad one', () => {
  expect(checkBooster({ coefficient: '2', 'target.category': 'coffee', validFrom: '2026-06-01', validTo: '2026-07-01' })).toEqual({});
  expect(checkBooster({ coefficient: '2' })).toEqual({ 'target.category': 'fill exactly one of action type, reference or category' });
  expect(checkBooster({ coefficient: '0', 'target.reference': 'SKU' })).toEqual({ coefficient: 'must be a number between 0.1 and 10 (2 doubles the points)' });
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
