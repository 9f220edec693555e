import type { EntityManager } from 'typeorm';
import type { PaymentTender } from '../../entities/index.js';
import { accountByCode, programAccounts } from '../ledger/accounts.js';

/**
 * Where a payment's value comes from and goes to: the member's account in some unit, the program
 * account that receives what is spent, and what one unit pays in minor units of the program's
 * currency. Points are one purse; store credit counted in money plugs in as another tender.
 */
export interface Purse {
  tender: PaymentTender;
  memberAccountId: string;
  redemptionAccountId: string;
  unit: 'points';
  valueMinorPerUnit: number;
}

/** The purse a tender pays from, for a member whose points account is `memberAccountId`. */
export async function purseFor(
  manager: EntityManager,
  tender: PaymentTender,
  member: { accountId: string },
  program: { pointValueMinor: number },
): Promise<Purse> {
  switch (tender) {
    case 'points': {
      const redemption = await accountByCode(manager, programAccounts.redemption);
      return {
        tender,
        memberAccountId: member.accountId,
        redemptionAccountId: redemption.id,
        unit: 'points',
        valueMinorPerUnit: program.pointValueMinor,
      };
    }
  }
}
