import type { EntityManager } from 'typeorm';
import type { RuleExplanation } from '../../entities/index.js';
import type { Ledger } from '../ledger/ledger.js';

/**
 * Recovers what refunds left owed from the points an event just earned the member, oldest debt
 * first, by reversing further the transfers the refunds could not take back in full. The caller
 * holds the member's lock and has credited `earned` points in the same transaction.
 */
export async function recoverRefundDebts(
  manager: EntityManager,
  ledger: Ledger,
  member: { accountId: string },
  event: { id: string; earned: number },
): Promise<{ recovered: number; explanation: RuleExplanation[] }> {
  const debts: { id: string; transferId: string; points: string }[] = await manager.query(
    `SELECT id, "transferId", points FROM points_debt WHERE "memberAccountId" = $1 AND points > 0 ORDER BY "createdAt", id FOR UPDATE`,
    [member.accountId],
  );
  let left = event.earned;
  let recovered = 0;
  for (const debt of debts) {
    const take = Math.min(Number(debt.points), left);
    if (take === 0) break;
    await ledger.reverse(
      {
        source: 'system:refund-recovery',
        key: `${event.id}:${debt.id}`,
        transferId: debt.transferId,
        amount: take,
        explanation: [{ rule: 'refund recovery', points: -take, reason: 'points a refund took back after they were spent' }],
      },
      manager,
    );
    await manager.query(`UPDATE points_debt SET points = points - $2 WHERE id = $1`, [debt.id, take]);
    left -= take;
    recovered += take;
  }
  const explanation =
    recovered > 0 ? [{ rule: 'refund recovery', points: -recovered, reason: 'owed since a refund of points already spent' }] : [];
  return { recovered, explanation };
}
