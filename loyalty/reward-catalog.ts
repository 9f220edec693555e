import { type EntityManager } from 'typeorm';
import { Reward } from '../entities/index.js';
import { balanceOf } from './ledger/accounts.js';
import { memberWithAccount } from './member-identity.js';

/** A reward as a member browses it, with whether they can have it now. */
export interface CatalogReward {
  code: string;
  name: string;
  description: string;
  imageUrl: string | null;
  pointsPrice: number;
  category: string | null;
  /** Shipped by a supplier (the member gives an address), rather than a code at once. */
  needsFulfilment: boolean;
  inStock: boolean;
  /** The member's available points pay for it. */
  affordable: boolean;
}

export interface CatalogFilters {
  category?: string | null;
  /** Only what the member's available points pay for now. */
  affordable?: boolean;
}

const entry = (reward: Reward, available: number): CatalogReward => ({
  code: reward.code,
  name: reward.name,
  description: reward.description,
  imageUrl: reward.imageUrl,
  pointsPrice: reward.pointsPrice,
  category: reward.category,
  needsFulfilment: reward.needsFulfilment,
  inStock: reward.stock === null || reward.stock > 0,
  affordable: reward.pointsPrice <= available,
});

async function availablePoints(manager: EntityManager, memberId: string): Promise<number> {
  const { account } = await memberWithAccount(manager, memberId);
  return (await balanceOf(manager, account.id)).available;
}

/** The rewards a member may redeem, cheapest first, filtered; with every category, for the filter's choices. */
export async function rewardCatalog(
  manager: EntityManager,
  memberId: string,
  filters: CatalogFilters = {},
): Promise<{ available: number; categories: string[]; rewards: CatalogReward[] }> {
  const available = await availablePoints(manager, memberId);
  const offered = await manager.find(Reward, { where: { available: true }, order: { pointsPrice: 'ASC', name: 'ASC' } });
  const categories = [...new Set(offered.map((r) => r.category).filter((c): c is string => c !== null))].sort((a, b) => a.localeCompare(b));
  const rewards = offered
    .filter((r) => !filters.category || r.category === filters.category)
    .map((r) => entry(r, available))
    .filter((r) => !filters.affordable || r.affordable);
  return { available, categories, rewards };
}

/** One reward of the catalog, as the member sees it; null when it is not offered. */
export async function catalogReward(
  manager: EntityManager,
  memberId: string,
  code: string,
): Promise<{ available: number; reward: CatalogReward } | null> {
  const reward = await manager.findOneBy(Reward, { code, available: true });
  if (!reward) return null;
  const available = await availablePoints(manager, memberId);
  return { available, reward: entry(reward, available) };
}
