import type { EntityManager } from 'typeorm';
import type { MemberEvent, RefundShortfallPolicy } from '../../entities/index.js';
import { balanceOf } from '../ledger/accounts.js';
import type { Ledger } from '../ledger/ledger.js';
import { lockMemberAccounts } from '../ledger/member-locks.js';
import { formatMoney } from '../money.js';
import { cancelPendingPoints, creditState } from '../pending-points.js';
import { Refusal } from '../refusal.js';

export interface RefundedPart {
  /** Cents of the purchase refunded before this refund, and by it. */
  before: number;
  now: number;
  /** Makes the reversal idempotent with its refund. */
  key: string;
  shortfall: RefundShortfallPolicy;
}

const share = (amount: number, part: number, whole: number) => Number((BigInt(amount) * BigInt(part)) / BigInt(whole));

/**
 * Takes back the cashback a purchase earned in proportion to what this refund returns (all that is
 * left with the refund that completes it), in the caller's transaction. Credit the member already
 * spent follows the program's refund policy: refused, or what is left is taken. Answers the minor
 * units taken back.
 */
export async function takeBackCashback(manager: EntityManager, ledger: Ledger, event: MemberEvent, part: RefundedPart): Promise<number> {
  const [paid]: { id: string; amount: string; creditAccountId: string; unit: string }[] = await manager.query(
    `SELECT t.id, t.amount, t."creditAccountId", a.unit FROM ledger_transfer t JOIN ledger_account a ON a.id = t."creditAccountId"
      WHERE t."idempotencySource" = $1 AND t."idempotencyKey" = $2 AND t.kind = 'cashback'`,
    [`partner:${event.partnerId}`, `event:${event.id}:cashback`],
  );
  if (!paid || !event.amountCents) return 0;
  const amount = Number(paid.amount);
  const whole = event.amountCents;
  const wanted = share(amount, part.before + part.now, whole) - share(amount, part.before, whole);
  if (wanted <= 0) return 0;
  await lockMemberAccounts(manager, [paid.creditAccountId]);
  // Cashback still in its return window is cancelled (it was never spendable); confirmed, it is taken back.
  const credit = await creditState(manager, paid.id);
  if (credit.state === 'cancelled') return 0;
  if (credit.state === 'pending') {
    const cancelled = Math.min(wanted, credit.hold.amount);
    await cancelPendingPoints(manager, ledger, {
      source: `partner:${event.partnerId}`,
      key: `refund:${part.key}:${credit.hold.id}`,
      hold: credit.hold,
      points: cancelled,
      explanation: {
        rule: 'refund',
        points: -cancelled,
        reason: `cashback cancelled for a refund of ${formatMoney(part.now, event.currency ?? paid.unit)}, before it was confirmed`,
      },
    });
    return cancelled;
  }
  const available = (await balanceOf(manager, paid.creditAccountId)).available;
  if (wanted > available && part.shortfall === 'refuse') {
    throw new Refusal(
      'refund_refused',
      `the member has already spent ${formatMoney(wanted - available, paid.unit)} of the ${formatMoney(wanted, paid.unit)} cashback this refund takes back`,
    );
  }
  const taken = Math.min(wanted, available);
  if (taken === 0) return 0;
  await ledger.reverse(
    {
      source: `partner:${event.partnerId}`,
      key: `refund:${part.key}:${paid.id}`,
      transferId: credit.transferId,
      amount: taken,
      references: { refundOf: event.id },
      explanation: [
        {
          rule: 'refund',
          points: -taken,
          reason: `cashback taken back for a refund of ${formatMoney(part.now, event.currency ?? paid.unit)}`,
        },
      ],
    },
    manager,
  );
  return taken;
}
