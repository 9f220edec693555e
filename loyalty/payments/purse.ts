import type { EntityManager } from 'typeorm';
import type { PaymentTender, ProgramSettings } from '../../entities/index.js';
import { accountByCode, programAccounts } from '../ledger/accounts.js';
import { creditPurseOf } from '../store-credit/credit-purse.js';

/** The rules a basket is quoted by (see quotePayment): the program's for points, none but the currency for credit. */
export type PaymentRules = Pick<
  ProgramSettings,
  'currency' | 'pointValueMinor' | 'paymentMinPoints' | 'paymentMaxSharePercent' | 'paymentExcludedCategories'
>;

/**
 * Where a payment's value comes from and goes to: the member's account in some unit (points, or
 * minor units of a currency), the program account that receives what is spent, and the rules a
 * basket is quoted by (one unit of store credit pays one minor unit of its currency).
 */
export interface Purse {
  tender: PaymentTender;
  memberAccountId: string;
  redemptionAccountId: string;
  /** `points`, or the ISO 4217 currency the store credit counts in. */
  unit: string;
  rules: PaymentRules;
}

/** The purse a tender pays from for the member at the store: their points, or their store credit in the store's program. */
export async function purseFor(
  manager: EntityManager,
  tender: PaymentTender,
  member: { id: string; accountId: string },
  partnerId: string,
  settings: PaymentRules,
): Promise<Purse> {
  switch (tender) {
    case 'points': {
      const redemption = await accountByCode(manager, programAccounts.redemption);
      return { tender, memberAccountId: member.accountId, redemptionAccountId: redemption.id, unit: 'points', rules: settings };
    }
    case 'credit': {
      // Store credit is money: any product of the program's stores, all of the basket, from one cent.
      const credit = await creditPurseOf(manager, member.id, partnerId);
      return {
        tender,
        memberAccountId: credit.memberAccountId,
        redemptionAccountId: credit.redemptionAccountId,
        unit: credit.unit,
        rules: {
          currency: credit.unit,
          pointValueMinor: credit.valueMinorPerUnit,
          paymentMinPoints: 1,
          paymentMaxSharePercent: 100,
          paymentExcludedCategories: '',
        },
      };
    }
  }
}
