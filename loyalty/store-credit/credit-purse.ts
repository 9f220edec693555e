import type { EntityManager } from 'typeorm';
import { openCreditProgramAccounts, openMemberCreditAccount } from '../ledger/accounts.js';
import { memberWithAccount } from '../member-identity.js';
import { Refusal } from '../refusal.js';
import { creditProgramOfPartner } from './credit-programs.js';

/** Where a member's store credit is spent at a partner: what a payment holds and posts. */
export interface CreditPurse {
  creditProgramId: string;
  /** The member's credit account in the program the partner's stores belong to. */
  memberAccountId: string;
  /** The program's account receiving credit spent, in the same currency. */
  redemptionAccountId: string;
  /** The currency (ISO 4217) the purse counts minor units of. */
  unit: string;
  /** One unit of the purse pays one minor unit of its currency. */
  valueMinorPerUnit: 1;
}

/**
 * The member's store credit spendable at the partner's stores (opened empty the first time), or a
 * refusal when the partner's stores run no credit program.
 */
export async function creditPurseOf(manager: EntityManager, memberId: string, partnerId: string): Promise<CreditPurse> {
  const program = await creditProgramOfPartner(manager, partnerId);
  if (!program) throw new Refusal('credit_refused', 'this store takes part in no store-credit program: pay with points or money', 'tender');
  const { member } = await memberWithAccount(manager, memberId);
  const account = await openMemberCreditAccount(manager, member, program);
  const { redemption } = await openCreditProgramAccounts(manager, program);
  return {
    creditProgramId: program.id,
    memberAccountId: account.id,
    redemptionAccountId: redemption.id,
    unit: program.currency,
    valueMinorPerUnit: 1,
  };
}
