import type { EntityManager } from 'typeorm';
import type { MemberReferral } from '../../entities/index.js';
import { balanceOf } from '../ledger/accounts.js';
import type { Ledger } from '../ledger/ledger.js';
import { withdrawReferralContributions } from './challenge-progress.js';

/**
 * A merge that shows a friend and their referrer are one person (either merged into the other),
 * in the merge's transaction with both accounts locked, before the merged member's points move:
 * the referral is withdrawn (`same_person`), its qualifying purchase no longer counts towards the
 * referrer's challenges, and a reward it no longer earns is taken back from the referrer's account,
 * as far as it holds points. Returns the points taken back.
 */
export async function withdrawSamePersonReferral(
  manager: EntityManager,
  ledger: Ledger,
  merge: { fromMemberId: string; intoMemberId: string },
): Promise<number> {
  const [referral]: Pick<MemberReferral, 'referredMemberId' | 'qualifyingEventId'>[] = await manager.query(
    `SELECT "referredMemberId", "qualifyingEventId" FROM member_referral
      WHERE (("referredMemberId" = $1 AND "referrerMemberId" = $2) OR ("referredMemberId" = $2 AND "referrerMemberId" = $1))
        AND status <> 'same_person'
      FOR UPDATE`,
    [merge.fromMemberId, merge.intoMemberId],
  );
  if (!referral) return 0;
  await manager.query(`UPDATE member_referral SET status = 'same_person' WHERE "referredMemberId" = $1`, [referral.referredMemberId]);
  if (!referral.qualifyingEventId) return 0;
  const [event]: { id: string; occurredAt: Date }[] = await manager.query(`SELECT id, "occurredAt" FROM member_event WHERE id = $1`, [
    referral.qualifyingEventId,
  ]);
  if (!event) return 0;
  let taken = 0;
  for (const reward of await withdrawReferralContributions(manager, event)) {
    const [paid]: { out: string }[] = await manager.query(
      `SELECT t.amount - COALESCE((SELECT SUM(r.amount) FROM ledger_transfer r WHERE r."reversesTransferId" = t.id), 0) AS out
         FROM ledger_transfer t WHERE t.id = $1`,
      [reward.transferId],
    );
    // What the referrer spent of it is not owed: the person's points are about to become one balance, whose debts a merge refuses.
    const points = Math.min(reward.points, Number(paid?.out ?? 0), (await balanceOf(manager, reward.accountId)).available);
    if (points <= 0) continue;
    await ledger.reverse(
      {
        source: 'system:merge',
        key: `same-person:${merge.fromMemberId}:${merge.intoMemberId}:${reward.transferId}`,
        transferId: reward.transferId,
        amount: points,
        references: { from: merge.fromMemberId, to: merge.intoMemberId },
        explanation: [{ rule: 'self-referral', points: -points, reason: 'the friend referred was the referrer: one person, merged' }],
      },
      manager,
    );
    taken += points;
  }
  return taken;
}
