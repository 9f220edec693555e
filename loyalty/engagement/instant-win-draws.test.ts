import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { luckyAt, newSeed, randomValue, replayDraws, winningTimes, type DrawRules } from './instant-win-draws.js';

const seed = 'ab'.repeat(32);
const rules: DrawRules = {
  mode: 'probability',
  winChancePpm: 500_000,
  winningTimeCount: 0,
  startsAt: new Date('2026-11-01T00:00:00Z'),
  endsAt: new Date('2026-12-01T00:00:00Z'),
  prizePoints: 100,
  prizeBudget: 2,
  pointsBudget: null,
};

it('commits to the seed with SHA-256 of its bytes, and draws the same value from the same seed and key', () => {
  const { seed: fresh, commitment } = newSeed();
  expect(commitment).toBe(createHash('sha256').update(Buffer.from(fresh, 'hex')).digest('hex'));
  expect(randomValue(seed, 'event-1')).toBe(randomValue(seed, 'event-1'));
  expect(randomValue(seed, 'event-1')).not.toBe(randomValue(seed, 'event-2'));
  expect(randomValue(seed, 'event-1')).toBeGreaterThanOrEqual(0);
  expect(randomValue(seed, 'event-1')).toBeLessThan(1);
  expect([luckyAt(0, 1), luckyAt(0.4999999, 500_000), luckyAt(0.5, 500_000), luckyAt(0.999999, 1_000_000)]).toEqual([
    true,
    true,
    false,
    true,
  ]);
});

it('replays draws in order within the budget, and finds a draw told otherwise', () => {
  const keys = Array.from({ length: 12 }, (_, i) => `event-${i}`);
  const honest = replayDraws(
    seed,
    rules,
    keys.map((key, i) => ({ drawNumber: i + 1, key, drawnAt: rules.startsAt, randomValue: 0, outcome: 'lost' as const })),
  );
  // Replayed against made-up outcomes: the true ones come back, at most 2 of them won.
  const draws = honest.map((r) => ({
    drawNumber: r.drawNumber,
    key: r.key,
    drawnAt: rules.startsAt,
    randomValue: r.randomValue,
    outcome: r.outcome,
  }));
  expect(draws.filter((d) => d.outcome === 'won')).toHaveLength(2);
  expect(replayDraws(seed, rules, draws).every((r) => r.matches)).toBe(true);
  const lastWin = draws.findLast((d) => d.outcome === 'won')!;
  const swapped = draws.map((d) => (d === lastWin ? { ...d, outcome: 'lost' as const } : d));
  expect(replayDraws(seed, rules, swapped).some((r) => !r.matches)).toBe(true);
});

it('draws the winning times from the seed inside the window, earliest first', () => {
  const times = winningTimes(seed, 5, rules.startsAt, rules.endsAt);
  expect(times).toHaveLength(5);
  expect(times.map((t) => t.getTime())).toEqual([...times.map((t) => t.getTime())].sort((a, b) => a - b));
  expect(times.every((t) => t >= rules.startsAt && t < rules.endsAt)).toBe(true);
  expect(winningTimes(seed, 5, rules.startsAt, rules.endsAt)).toEqual(times);
});
