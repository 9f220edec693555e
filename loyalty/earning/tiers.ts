import type { Tier as TierRecord } from '../../entities/index.js';

/** What tier placement reads of a tier. */
export type Tier = Pick<TierRecord, 'code' | 'name' | 'threshold' | 'multiplier' | 'benefits'>;

/** The highest tier whose threshold the points reach; null below the first one. */
export function tierFor(qualifyingPoints: number, tiers: Tier[]): Tier | null {
  return [...tiers].sort((a, b) => b.threshold - a.threshold).find((t) => qualifyingPoints >= t.threshold) ?? null;
}

/** The tier a member moves up to when their qualifying points go from `before` to `after`. */
export function upgradeBetween(before: number, after: number, tiers: Tier[]): Tier | null {
  const from = tierFor(before, tiers);
  const to = tierFor(after, tiers);
  return to && to.threshold > (from?.threshold ?? -1) ? to : null;
}
