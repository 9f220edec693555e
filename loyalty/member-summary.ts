import type { EntityManager } from 'typeorm';
import { programConfiguration } from './earning/program-configuration.js';
import { memberStanding } from './earning/member-standing.js';
import { balanceOf, type Balance } from './ledger/accounts.js';
import { memberWithAccount } from './member-identity.js';
import { pendingPointsOf } from './pending-points.js';

export interface MemberSummary {
  balance: Balance;
  tier: { code: string; name: string; multiplier: number } | null;
  qualifyingPoints: number;
  /** Points that expire within 30, 60 and 90 days (each includes the shorter periods). */
  expiring: { days30: number; days60: number; days90: number };
  /** Points on their way in (a purchase's return window), by when they become spendable, soonest first. */
  pending: { points: number; availableFrom: Date }[];
}

/** What a member has: balance, tier and the points about to expire. */
export async function memberSummary(manager: EntityManager, memberId: string, now = new Date()): Promise<MemberSummary> {
  const { member, account } = await memberWithAccount(manager, memberId);
  const { tiers, settings } = await programConfiguration(manager);
  const standing = await memberStanding(manager, { id: member.id, accountId: account.id }, now, {
    tiers,
    tierWindowDays: settings.tierWindowDays,
    rules: [],
  });
  const tier = tiers.find((t) => t.code === standing.tierCode);
  const [expiring] = await manager.query(
    `SELECT COALESCE(SUM(remaining) FILTER (WHERE "expiresAt" <= $2::timestamptz + interval '30 days'), 0) AS days30,
            COALESCE(SUM(remaining) FILTER (WHERE "expiresAt" <= $2::timestamptz + interval '60 days'), 0) AS days60,
            COALESCE(SUM(remaining) FILTER (WHERE "expiresAt" <= $2::timestamptz + interval '90 days'), 0) AS days90
       FROM point_lot WHERE "memberAccountId" = $1 AND remaining > 0 AND "expiresAt" IS NOT NULL`,
    [account.id, now],
  );
  return {
    balance: await balanceOf(manager, account.id),
    tier: tier ? { code: tier.code, name: tier.name, multiplier: tier.multiplier } : null,
    qualifyingPoints: standing.qualifying,
    expiring: { days30: Number(expiring.days30), days60: Number(expiring.days60), days90: Number(expiring.days90) },
    pending: await pendingPointsOf(manager, account.id),
  };
}
