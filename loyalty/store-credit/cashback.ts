import type { EntityManager } from 'typeorm';
import type { CreditProgram } from '../../entities/index.js';
import { openCreditProgramAccounts, openMemberCreditAccount } from '../ledger/accounts.js';
import type { Ledger } from '../ledger/ledger.js';
import type { TransferRequest } from '../ledger/request.js';
import { formatMoney } from '../money.js';
import { queueProcess } from '../outbox.js';
import { convertMoney } from './exchange-rates.js';

/** Store credit a purchase earned, in minor units of its program's currency. */
export interface CashbackPaid {
  creditProgramId: string;
  currency: string;
  amountMinor: number;
  transferId: string;
  /** "5% cashback on €40.00 = €2.00" */
  reason: string;
  /** When pending cashback (a return window) becomes spendable; null when it is at once. */
  availableFrom: Date | null;
}

/** What the program gives back on a purchase of `purchaseMinor` (its currency), and why, in words. */
export function cashbackOf(program: CreditProgram, purchaseMinor: number): { minor: number; reason: string } {
  if (program.cashbackFixedMinor !== null) {
    return {
      minor: program.cashbackFixedMinor,
      reason: `${formatMoney(program.cashbackFixedMinor, program.currency)} cashback per purchase`,
    };
  }
  const percent = Number(program.cashbackPercent);
  // Tidy binary fractions (40.00 × 5% is 2.00, not 1.9999999) before rounding down.
  const minor = Math.floor(Math.round(((purchaseMinor * percent) / 100) * 1e6) / 1e6);
  return {
    minor,
    reason: `${percent}% cashback on ${formatMoney(purchaseMinor, program.currency)} = ${formatMoney(minor, program.currency)}`,
  };
}

export interface PurchaseForCashback {
  program: CreditProgram;
  member: { id: string; externalId: string };
  partnerId: string;
  eventId: string;
  amountMinor: number;
  currency: string;
  occurredAt: Date;
  /** The end of the purchase's return window: until then the cashback is pending, not spendable. */
  pendingUntil: Date | null;
}

/**
 * Credits the member's store credit with the purchase's cashback, from the credit program's issuance
 * account, funded by the partner where they bought (for settlement), in the caller's transaction.
 * A purchase in another currency is converted at the operator's rate first (or refused).
 */
export async function payCashback(manager: EntityManager, ledger: Ledger, purchase: PurchaseForCashback): Promise<CashbackPaid | null> {
  const { program } = purchase;
  const converted =
    purchase.currency === program.currency
      ? null
      : await convertMoney(manager, purchase.amountMinor, purchase.currency, program.currency, purchase.occurredAt);
  const cashback = cashbackOf(program, converted?.minor ?? purchase.amountMinor);
  if (cashback.minor <= 0) return null;
  const reason = converted ? `${cashback.reason} (${converted.description})` : cashback.reason;
  const { issuance } = await openCreditProgramAccounts(manager, program);
  const account = await openMemberCreditAccount(manager, purchase.member, program);
  const request: TransferRequest = {
    source: `partner:${purchase.partnerId}`,
    key: `event:${purchase.eventId}:cashback`,
    legs: [
      {
        debitAccountId: issuance.id,
        creditAccountId: account.id,
        amount: cashback.minor,
        kind: 'cashback',
        fundingPartnerId: purchase.partnerId,
        references: { event: purchase.eventId, partner: purchase.partnerId, creditProgram: program.id },
        explanation: [{ rule: program.name, points: cashback.minor, reason }],
      },
    ],
  };
  // Inside a return window the cashback waits as pending points do (buy, earn, spend, return is closed
  // for both), confirmed by the hold's own timer (see releaseExpiredHold).
  const until = purchase.pendingUntil;
  const { transfers } = until ? await ledger.holdCredit({ ...request, until }, manager) : await ledger.transfer(request, manager);
  if (until) await queueProcess(manager, 'hold_timeout', transfers[0]!.id, { expiresAt: until.toISOString() });
  return {
    creditProgramId: program.id,
    currency: program.currency,
    amountMinor: cashback.minor,
    transferId: transfers[0]!.id,
    reason,
    availableFrom: until,
  };
}
