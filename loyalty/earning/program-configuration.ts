import type { DataSource, EntityManager } from 'typeorm';
import { Bonus, Booster, EarningRule, Tier } from '../../entities/index.js';
import { programSettings } from './program-settings.js';

export interface ProgramConfiguration {
  rules: EarningRule[];
  boosters: Booster[];
  bonuses: Bonus[];
  tiers: Tier[];
  settings: Awaited<ReturnType<typeof programSettings>>;
}

/** How long a process keeps the configuration: back-office changes apply within this delay. */
export const configurationTtlMs = 5_000;

const cache = new WeakMap<DataSource, { loadedAt: number; configuration: Promise<ProgramConfiguration> }>();

async function load(manager: EntityManager): Promise<ProgramConfiguration> {
  const rules = await manager.findBy(EarningRule, { active: true });
  const boosters = await manager.findBy(Booster, { active: true });
  const bonuses = await manager.findBy(Bonus, { active: true });
  const tiers = await manager.find(Tier, { order: { threshold: 'ASC' } });
  return { rules, boosters, bonuses, tiers, settings: await programSettings(manager) };
}

/**
 * The active rules, boosters, bonuses, tiers and settings. Every event reads them, and they
 * change rarely, so a process reuses them for a few seconds instead of reading them each time.
 */
export function programConfiguration(manager: EntityManager): Promise<ProgramConfiguration> {
  const dataSource = manager.connection;
  const cached = cache.get(dataSource);
  if (cached && Date.now() - cached.loadedAt < configurationTtlMs) return cached.configuration;
  // Read outside the caller's transaction: the configuration is not part of what it writes.
  const configuration = load(dataSource.manager);
  cache.set(dataSource, { loadedAt: Date.now(), configuration });
  configuration.catch(() => cache.delete(dataSource));
  return configuration;
}

/** Forget the cached configuration (the back office after a change, tests after seeding). */
export function forgetProgramConfiguration(dataSource: DataSource): void {
  cache.delete(dataSource);
}
