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
  const debts: { id: string; transferId: string; points: string; reversible: string }[] = await manager.query(
    `SELECT d.id, d."transferId", d.points,
            t.amount - COALESCE((SELECT SUM(r.amount) FROM ledger_transfer r WHERE r."reversesTransferId" = t.id), 0) AS reversible
       FROM points_debt d JOIN ledger_transfer t ON t.id = d."transferId"
      WHERE d."memberAccountId" = $1 AND d.points > 0 ORDER BY d."createdAt", d.id FOR UPDATE OF d`,
    [member.accountId],
  );
  let left = event.earned;
  let recovered = 0;
  for (const debt of debts) {
    // Care may have reversed the transfer meanwhile: what it no longer has out is not owed any more.
    const owed = Math.min(Number(debt.points), Number(debt.reversible));
    const take = Math.min(owed, left);
    if (take > 0) {
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
    }
    await manager.query(`UPDATE points_debt SET points = $2 WHERE id = $1`, [debt.id, owed - take]);
    left -= take;
    recovered += take;
    if (left === 0) break;
  }

  const explanation =
    recovered > 0 ? [{ rule: 'refund recovery', points: -recovered, reason: 'owed since a refund of points already spent' }] : [];
  return { recovered, explanation };
}
