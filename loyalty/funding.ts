import type { EntityManager } from 'typeorm';
import { accountByCode, programAccounts } from './ledger/accounts.js';
import type { Ledger } from './ledger/ledger.js';
import type { LedgerResult } from './ledger/transfer-record.js';

export interface PointsPurchase {
  walletAccountId: string;
  points: number;
  /** Unique per purchase, e.g. the invoice number: a retried purchase credits once. */
  key: string;
  references?: Record<string, string>;
}

/** Credits a partner's wallet with points it bought: they come out of the program's issuance. */
export async function creditPurchasedPoints(
  manager: EntityManager,
  ledger: Ledger,
  purchase: PointsPurchase,
): Promise<LedgerResult> {
  const issuance = await accountByCode(manager, programAccounts.issuance);
  return ledger.transfer({
    source: 'funding',
    key: purchase.key,
    legs: [
      {
        debitAccountId: issuance.id,
        creditAccountId: purchase.walletAccountId,
        amount: purchase.points,
        kind: 'purchase',
        references: purchase.references,
      },
    ],
  });
}
