import type { EntityManager } from 'typeorm';
import { memberWithAccount } from '../member-identity.js';
import { formatMoney } from '../money.js';

/** A member's store credit in one program, in minor units of its currency. */
export interface CreditBalance {
  creditProgramId: string;
  program: string;
  currency: string;
  /** What can be spent now. */
  availableMinor: number;
  /** Held by payments not yet captured. */
  heldMinor: number;
  /** `€12.50` */
  available: string;
  /** Cashback in a purchase's return window: spendable once confirmed, unless a refund cancels it. */
  pendingMinor: number;
  /** `€2.00` */
  pending: string;
}

/**
 * The member's store credit, per program: all of it, or only in the programs whose stores include
 * `partnerId` (what a partner may see of its customer).
 */
export async function creditBalancesOf(manager: EntityManager, memberId: string, partnerId?: string): Promise<CreditBalance[]> {
  const { member } = await memberWithAccount(manager, memberId);
  const rows: { id: string; name: string; currency: string; posted: string; held: string; incoming: string }[] = await manager.query(
    `SELECT c.id, c.name, c.currency,
            COALESCE(SUM(b."creditsPosted" - b."debitsPosted"), 0) AS posted, COALESCE(SUM(b."debitsPending"), 0) AS held,
            COALESCE(SUM(b."creditsPending"), 0) AS incoming
       FROM ledger_account a
       JOIN credit_program c ON c.id = a."creditProgramId"
       JOIN ledger_balance b ON b."accountId" = a.id
      WHERE a."memberId" = $1 AND ($2::uuid IS NULL OR $2::uuid = ANY(c."partnerIds"))
      GROUP BY c.id ORDER BY c.name`,
    [member.id, partnerId ?? null],
  );
  return rows.map((r) => {
    const availableMinor = Number(r.posted) - Number(r.held);
    return {
      creditProgramId: r.id,
      program: r.name,
      currency: r.currency,
      availableMinor,
      heldMinor: Number(r.held),
      available: formatMoney(availableMinor, r.currency),
      pendingMinor: Number(r.incoming),
      pending: formatMoney(Number(r.incoming), r.currency),
    };
  });
}
