import type { EntityManager } from 'typeorm';
import type { PaymentTender, ProgramSettings } from '../../entities/index.js';
import { accountByCode, programAccounts } from '../ledger/accounts.js';
import { creditPurseOf } from '../store-credit/credit-purse.js';
import { quoteCredit, quotePayment, type Basket, type PaymentQuote } from './payment-quote.js';

/**
 * Where a payment's value comes from and goes to: the member's account in some unit, the program
 * account that receives what is spent, what one unit pays in minor units of the basket's currency,
 * and what of a basket the tender may pay.
 */
export interface Purse {
  tender: PaymentTender;
  memberAccountId: string;
  redemptionAccountId: string;
  /** `points`, or the currency store credit counts. */
  unit: string;
  valueMinorPerUnit: number;
  quote: (basket: Basket) => PaymentQuote;
}

type PaymentRules = Pick<
  ProgramSettings,
  'currency' | 'pointValueMinor' | 'paymentMinPoints' | 'paymentMaxSharePercent' | 'paymentExcludedCategories'
>;

/** The purse a tender pays from at the partner's stores, for a member whose points account is `accountId`. */
export async function purseFor(
  manager: EntityManager,
  tender: PaymentTender,
  member: { id: string; accountId: string },
  partnerId: string,
  program: PaymentRules,
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
        quote: (basket) => quotePayment(basket, program),
      };
    }
    case 'store_credit': {
      const credit = await creditPurseOf(manager, member.id, partnerId);
      return {
        tender,
        memberAccountId: credit.memberAccountId,
        redemptionAccountId: credit.redemptionAccountId,
        unit: credit.unit,
        valueMinorPerUnit: credit.valueMinorPerUnit,
        quote: (basket) => quoteCredit(basket, credit.unit),
      };
    }
  }
}
