import { expect, it } from 'vitest';
import { zonedInstant, zonedLocal } from './zoned-time.js';

it('reads a wall-clock time in its time zone, across a clock change, and refuses nonsense', () => {
  expect(zonedInstant('2026-12-07T09:00', 'Europe/Amsterdam')?.toISOString()).toBe('2026-12-07T08:00:00.000Z');
  expect(zonedInstant('2026-07-07T09:00', 'Europe/Amsterdam')?.toISOString()).toBe('2026-07-07T07:00:00.000Z');
  expect(zonedInstant('2026-12-07T09:00', 'America/New_York')?.toISOString()).toBe('2026-12-07T14:00:00.000Z');
  expect(zonedInstant('2026-02-30T09:00', 'UTC')).toBeNull();
  expect(zonedInstant('next week', 'UTC')).toBeNull();
  expect(zonedLocal(new Date('2026-12-07T08:00:00Z'), 'Europe/Amsterdam')).toBe('2026-12-07T09:00');
});
