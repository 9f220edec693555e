import type { EntityManager } from 'typeorm';
import { programConfiguration } from './earning/program-configuration.js';
import { memberWithAccount } from './member-identity.js';
import { memberSummary } from './member-summary.js';
import { creditBalancesOf, type CreditBalance } from './store-credit/credit-balances.js';

/** The game's face of a tier, where the program named one (Tier.levelName). */
export interface Level {
  name: string;
  emblem: string;
}

export interface TierStanding {
  current: { name: string; multiplier: number; threshold: number; level: Level | null } | null;
  /** Qualifying points earned over the window: what decides the tier. */
  qualifying: number;
  windowDays: number;
  next: { name: string; threshold: number; missing: number; level: Level | null } | null;
}

export interface MemberDashboard {
  displayName: string | null;
  reference: string;
  email: string | null;
  phone: string | null;
  balance: { available: number; held: number; pending: number };
  tier: TierStanding;
  expiring: { days30: number; days60: number; days90: number };
  /** The next dates points expire on, and how many: the member's timeline. */
  upcoming: { on: Date; points: number }[];
  /** Points in their purchases' return window, by when they become spendable, soonest first. */
  pending: { points: number; availableFrom: Date }[];
  /** Store credit in money, per program the member has an account in. */
  credit: CreditBalance[];
}

const levelOf = (tier: { levelName: string | null; levelEmblem: string | null }): Level | null =>
  tier.levelName ? { name: tier.levelName, emblem: tier.levelEmblem ?? 'star' } : null;

/** What the member sees first: balance, tier and how to reach or keep it, and what expires when. */
export async function memberDashboard(manager: EntityManager, memberId: string, now = new Date()): Promise<MemberDashboard> {
  const { member, account } = await memberWithAccount(manager, memberId);
  const summary = await memberSummary(manager, member.id, now);
  const { tiers, settings } = await programConfiguration(manager);
  const current = tiers.find((t) => t.code === summary.tier?.code);
  const next = tiers.find((t) => t.threshold > summary.qualifyingPoints && (!current || t.threshold > current.threshold));
  const upcoming: { on: Date; points: string }[] = await manager.query(
    `SELECT date_trunc('day', "expiresAt") AS on, SUM(remaining) AS points FROM point_lot
      WHERE "memberAccountId" = $1 AND remaining > 0 AND "expiresAt" > $2 GROUP BY 1 ORDER BY 1 LIMIT 12`,
    [account.id, now],
  );
  return {
    displayName: member.displayName,
    reference: member.externalId,
    email: member.email,
    phone: member.phone,
    balance: { available: summary.balance.available, held: summary.balance.held, pending: summary.balance.incoming },
    tier: {
      current: current
        ? { name: current.name, multiplier: current.multiplier, threshold: current.threshold, level: levelOf(current) }
        : null,
      qualifying: summary.qualifyingPoints,
      windowDays: settings.tierWindowDays,
      next: next
        ? { name: next.name, threshold: next.threshold, missing: next.threshold - summary.qualifyingPoints, level: levelOf(next) }
        : null,
    },
    expiring: summary.expiring,
    upcoming: upcoming.map((u) => ({ on: new Date(u.on), points: Number(u.points) })),
    pending: summary.pending,
    credit: await creditBalancesOf(manager, member.id),
  };
}
