import type { EntityManager } from 'typeorm';
import type { Badge, MemberEvent } from '../../entities/index.js';
import { customerIdOf } from '../member-identity.js';
import { queueWebhooks } from '../webhooks.js';
import { purchaseRecord, ruleProgress, type PurchaseRecord } from './badge-awards.js';

type Held = Pick<Badge, 'id' | 'name' | 'partnerId' | 'rule' | 'threshold'> & { awardPartnerId: string | null };

/** Whether the member still earns the badge: by its rule over the purchases that stand, or by a challenge completed that awards it. */
async function stillEarned(manager: EntityManager, badge: Held, memberId: string, record: PurchaseRecord): Promise<boolean> {
  const progress = ruleProgress(badge, record);
  if (progress && progress.value >= progress.target) return true;
  const completed = await manager.query(
    `SELECT 1 FROM challenge_progress p JOIN challenge c ON c.id = p."challengeId"
      WHERE c."badgeId" = $1 AND p."memberId" = $2 AND p."completedAt" IS NOT NULL LIMIT 1`,
    [badge.id, memberId],
  );
  return completed.length > 0;
}

/**
 * A refund's effect on badges, in the refund's transaction (the member's account locked, the
 * purchase's refund and its challenges' take-back written): a badge the member held that could
 * count this purchase, and that neither its rule nor a completed challenge earns any more, is
 * taken back, as the points it came with were; a later purchase earns it again. Whoever heard of
 * the award hears of this (`badge.revoked`). Returns the badges taken back.
 */
export async function revokeLapsedBadges(
  manager: EntityManager,
  event: Pick<MemberEvent, 'id' | 'memberId' | 'partnerId' | 'customerId'>,
): Promise<string[]> {
  const held: Held[] = await manager.query(
    `SELECT b.id, b.name, b."partnerId", b.rule, b.threshold, e."partnerId" AS "awardPartnerId"
       FROM member_badge mb JOIN badge b ON b.id = mb."badgeId" LEFT JOIN member_event e ON e.id = mb."eventId"
      WHERE mb."memberId" = $1 AND (b."partnerId" IS NULL OR b."partnerId" = $2)
      ORDER BY b.id`,
    [event.memberId, event.partnerId],
  );
  const records = new Map<string | null, PurchaseRecord>();
  const revoked: string[] = [];
  for (const badge of held) {
    if (!records.has(badge.partnerId)) records.set(badge.partnerId, await purchaseRecord(manager, event.memberId, badge.partnerId));
    if (await stillEarned(manager, badge, event.memberId, records.get(badge.partnerId)!)) continue;
    const [, deleted]: [unknown, number] = await manager.query(`DELETE FROM member_badge WHERE "badgeId" = $1 AND "memberId" = $2`, [
      badge.id,
      event.memberId,
    ]);
    if (deleted === 0) continue;
    revoked.push(badge.id);
    const partnerId = badge.partnerId ?? badge.awardPartnerId ?? event.partnerId;
    // A partner that no longer knows the member is not told another partner's id for them.
    const customerId =
      (await customerIdOf(manager, event.memberId, partnerId)) ?? (partnerId === event.partnerId ? event.customerId : null);
    if (customerId === null) continue;
    await queueWebhooks(manager, partnerId, 'badge.revoked', {
      badge: badge.id,
      name: badge.name,
      member: customerId,
      reason: 'refund',
      eventId: event.id,
      revokedAt: new Date().toISOString(),
    });
  }
  return revoked;
}
