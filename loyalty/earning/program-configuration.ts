import type { DataSource, EntityManager } from 'typeorm';
import { Bonus, Booster, Campaign, EarningRule, Tier } from '../../entities/index.js';
import { programSettings } from './program-settings.js';

export interface ProgramConfiguration {
  rules: EarningRule[];
  boosters: Booster[];
  bonuses: Bonus[];
  /** The running campaigns, whose audiences, holdouts and budgets decide over their rules, boosters and bonuses. */
  campaigns: Campaign[];
  tiers: Tier[];
  settings: Awaited<ReturnType<typeof programSettings>>;
}

/** How long a process keeps the configuration: back-office changes apply within this delay. */
export const configurationTtlMs = 5_000;

interface Cached {
  loadedAt: number;
  configuration: ProgramConfiguration;
}

const cache = new WeakMap<DataSource, Cached>();
/** Bumped by every forget, so that a read begun before a change never stores what it read. */
const generations = new WeakMap<DataSource, number>();

async function load(manager: EntityManager): Promise<ProgramConfiguration> {
  const rules = await manager.findBy(EarningRule, { active: true });
  const boosters = await manager.findBy(Booster, { active: true });
  const bonuses = await manager.findBy(Bonus, { active: true });
  const campaigns = await manager.findBy(Campaign, { status: 'running' });
  const tiers = await manager.find(Tier, { order: { threshold: 'ASC' } });
  return { rules, boosters, bonuses, campaigns, tiers, settings: await programSettings(manager) };
}

/**
 * The active rules, boosters, bonuses, tiers and settings. Every event reads them, and they
 * change rarely, so a process reuses them for a few seconds instead of reading them each time.
 * They are read on the caller's own connection: a transaction that waited for another connection
 * of the pool could wait forever once every connection is held by such a transaction.
 */
export async function programConfiguration(manager: EntityManager): Promise<ProgramConfiguration> {
  const dataSource = manager.connection;
  const cached = cache.get(dataSource);
  if (cached && Date.now() - cached.loadedAt < configurationTtlMs) return cached.configuration;
  const generation = generations.get(dataSource) ?? 0;
  const loadedAt = Date.now();
  const configuration = await load(manager);
  const latest = cache.get(dataSource);
  if (generation === (generations.get(dataSource) ?? 0) && (!latest || latest.loadedAt < loadedAt))
    cache.set(dataSource, { loadedAt, configuration });
  return configuration;
}

/** Forget the cached configuration (the back office after a change, tests after seeding). */
export function forgetProgramConfiguration(dataSource: DataSource): void {
  cache.delete(dataSource);
  generations.set(dataSource, (generations.get(dataSource) ?? 0) + 1);
}
