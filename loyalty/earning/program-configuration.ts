import type { DataSource, EntityManager } from 'typeorm';
import { Badge, Bonus, Booster, Campaign, Challenge, EarningRule, InstantWinCampaign, Leaderboard, Tier } from '../../entities/index.js';
import { programSettings } from './program-settings.js';
import { ConfigurationCache, configurationChanged, unwatchedTtlMs } from '../configuration-freshness.js';

export interface ProgramConfiguration {
  rules: EarningRule[];
  boosters: Booster[];
  bonuses: Bonus[];
  /** The running campaigns, whose audiences, holdouts and budgets decide over their rules, boosters and bonuses. */
  campaigns: Campaign[];
  tiers: Tier[];
  /** The live challenges: an event that one could count for queues its progress step (see engagement/challenge-progress.ts). */
  challenges: Challenge[];
  /** The live badges: a purchase one's rule could award on queues its award step (see engagement/badge-awards.ts). */
  badges: Badge[];
  /** The live leaderboards: an event one could score for queues its scoring step (see engagement/leaderboard-scores.ts). */
  leaderboards: Leaderboard[];
  /** The live winning-moments campaigns: a purchase one could draw for takes the full path, which draws (see engagement/instant-win.ts). */
  instantWins: InstantWinCampaign[];
  settings: Awaited<ReturnType<typeof programSettings>>;
}

/** How long a process without a configuration listener keeps the configuration: back-office changes apply within this delay. */
export const configurationTtlMs = unwatchedTtlMs;

const cache = new ConfigurationCache<ProgramConfiguration>(configurationTtlMs);

async function load(manager: EntityManager): Promise<ProgramConfiguration> {
  const rules = await manager.findBy(EarningRule, { active: true });
  const boosters = await manager.findBy(Booster, { active: true });
  const bonuses = await manager.findBy(Bonus, { active: true });
  const campaigns = await manager.findBy(Campaign, { status: 'running' });
  const tiers = await manager.find(Tier, { order: { threshold: 'ASC' } });
  const challenges = await manager.findBy(Challenge, { status: 'live' });
  const badges = await manager.findBy(Badge, { status: 'live' });
  const leaderboards = await manager.findBy(Leaderboard, { status: 'live' });
  const instantWins = await manager.findBy(InstantWinCampaign, { status: 'live' });
  return {
    rules,
    boosters,
    bonuses,
    campaigns,
    tiers,
    challenges,
    badges,
    leaderboards,
    instantWins,
    settings: await programSettings(manager),
  };
}

/**
 * The active rules, boosters, bonuses, tiers and settings. Every event reads them, and they
 * change rarely, so a process reuses them until a change is heard (see configuration-freshness.ts),
 * or for a few seconds when it listens to no change.
 * They are read on the caller's own connection: a transaction that waited for another connection
 * of the pool could wait forever once every connection is held by such a transaction.
 */
export function programConfiguration(manager: EntityManager): Promise<ProgramConfiguration> {
  return cache.read(manager.connection, 'program', () => load(manager));
}

/** Forget the cached configuration (the back office after a change, tests after seeding). */
export function forgetProgramConfiguration(dataSource: DataSource): void {
  configurationChanged(dataSource);
}
