import type { DataSource, EntityManager } from 'typeorm';
import { Badge, MemberEvent, type BadgeRule } from '../../entities/index.js';
import { inTransaction } from '../ledger/transaction.js';
import { lockMemberAccounts } from '../ledger/member-locks.js';
import { customerIdOf, memberWithAccount } from '../member-identity.js';
import { queuedBy } from '../outbox.js';
import { queueWebhooks } from '../webhooks.js';

type Awardable = Pick<MemberEvent, 'type' | 'partnerId'>;

/** A badge its own rule awards (not only a challenge) that could count this event. */
const byRuleFor = (badge: Badge, event: Awardable) =>
  badge.status === 'live' && badge.rule !== 'challenge' && (badge.partnerId === null || badge.partnerId === event.partnerId);

/** Whether a live badge's rule could award on this event: cheap, from the cached configuration, so the event's write queues its step only then. */
export function badgesCouldAward(badges: Badge[], event: Awardable): boolean {
  return event.type === 'purchase' && badges.some((b) => byRuleFor(b, event));
}

/** What a member's lifetime purchases reached, everywhere or at one partner. */
export interface PurchaseRecord {
  purchases: number;
  partners: number;
}

/** The purchases that stand: one refunded in full earned nothing (see engagement/badge-revocation.ts). */
export async function purchaseRecord(manager: EntityManager, memberId: string, partnerId: string | null): Promise<PurchaseRecord> {
  const [row] = await manager.query(
    `SELECT count(*)::int AS purchases, count(DISTINCT "partnerId")::int AS partners FROM member_event
      WHERE "memberId" = $1 AND type = 'purchase' AND ($2::uuid IS NULL OR "partnerId" = $2)
        AND NOT ("refundedCents" > 0 AND "refundedCents" >= "amountCents")`,
    [memberId, partnerId],
  );
  return { purchases: Number(row.purchases), partners: Number(row.partners) };
}

/** How far a rule's measure goes, and how far the member is on it. */
export function ruleProgress(badge: Pick<Badge, 'rule' | 'threshold'>, record: PurchaseRecord): { value: number; target: number } | null {
  const rules: Record<BadgeRule, () => { value: number; target: number } | null> = {
    challenge: () => null,
    first_purchase: () => ({ value: Math.min(record.purchases, 1), target: 1 }),
    purchase_count: () => ({ value: record.purchases, target: badge.threshold ?? 1 }),
    distinct_partners: () => ({ value: record.partners, target: badge.threshold ?? 1 }),
  };
  return rules[badge.rule]();
}

/**
 * Awards a badge to a member, once: the member_badge row is the badge's one award (its primary
 * key), so concurrent or replayed awards write it once, and only the one that wrote it tells the
 * partners (`badge.awarded`). In the caller's transaction. `partnerId` is whose purchase earned it:
 * the badge's owner hears of it, or for a program badge that partner. Returns whether it was new.
 */
export async function awardBadge(
  manager: EntityManager,
  award: {
    badgeId: string;
    memberId: string;
    event: Pick<MemberEvent, 'id' | 'partnerId' | 'customerId' | 'memberId'>;
    challengeId: string | null;
  },
): Promise<boolean> {
  const badge = await manager.findOneBy(Badge, { id: award.badgeId });
  if (!badge || badge.status === 'retired') return false;
  const awardedAt = new Date();
  const inserted = await manager.query(
    `INSERT INTO member_badge ("badgeId", "memberId", "awardedAt", "eventId", "challengeId") VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING RETURNING "badgeId"`,
    [badge.id, award.memberId, awardedAt, award.event.id, award.challengeId],
  );
  if (inserted.length === 0) return false;
  const partnerId = badge.partnerId ?? award.event.partnerId;
  // A referrer the store does not know (their friend's purchase earned it) is not told to it.
  const customerId =
    (await customerIdOf(manager, award.memberId, partnerId)) ?? (award.event.memberId === award.memberId ? award.event.customerId : null);
  if (customerId === null) return true;
  await queueWebhooks(manager, partnerId, 'badge.awarded', {
    badge: badge.id,
    name: badge.name,
    description: badge.description,
    member: customerId,
    reason: award.challengeId ? 'challenge' : badge.rule,
    challenge: award.challengeId,
    eventId: award.event.id,
    awardedAt: awardedAt.toISOString(),
  });
  return true;
}

/**
 * Awards the live badges whose rules a recorded purchase fulfils (over the member's lifetime
 * purchases that stand, committed before this step), in one transaction. Started from the outbox
 * once the event committed (workflow `badge-award-<eventId>`); running it again awards nothing more.
 */
export function awardRuleBadges(dataSource: DataSource, eventId: string): Promise<{ awarded: string[]; queued: string[] }> {
  return inTransaction(dataSource, async (manager) => {
    const event = await manager.findOneBy(MemberEvent, { id: eventId });
    const awarded: string[] = [];
    if (!event || event.type !== 'purchase') return { awarded, queued: queuedBy(manager) };
    // As a refund does: one of them decides after the other, so a refund never misses an award made meanwhile.
    const { member, account } = await memberWithAccount(manager, event.memberId);
    await lockMemberAccounts(manager, [account.id]);
    const badges = (await manager.findBy(Badge, { status: 'live' })).filter((b) => byRuleFor(b, event));
    const records = new Map<string | null, PurchaseRecord>();
    for (const badge of badges.sort((a, b) => a.id.localeCompare(b.id))) {
      if (!records.has(badge.partnerId)) records.set(badge.partnerId, await purchaseRecord(manager, member.id, badge.partnerId));
      const progress = ruleProgress(badge, records.get(badge.partnerId)!);
      if (!progress || progress.value < progress.target) continue;
      if (await awardBadge(manager, { badgeId: badge.id, memberId: member.id, event, challengeId: null })) awarded.push(badge.id);
    }
    return { awarded, queued: queuedBy(manager) };
  });
}
