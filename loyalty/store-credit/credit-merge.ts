import type { EntityManager } from 'typeorm';
import { openMemberCreditAccount } from '../ledger/accounts.js';
import type { Ledger } from '../ledger/ledger.js';
import { lockMemberAccounts } from '../ledger/member-locks.js';
import { formatMoney } from '../money.js';
import { Refusal } from '../refusal.js';

interface MergedMember {
  id: string;
  externalId: string;
}

/**
 * Moves a merged member's store credit, program by program, to whom they became (its lots keep
 * their funder), in the merge's transaction. Refused while credit is held for a payment.
 */
export async function mergeStoreCredit(manager: EntityManager, ledger: Ledger, from: MergedMember, into: MergedMember): Promise<void> {
  const accounts: { id: string; creditProgramId: string; unit: string }[] = await manager.query(
    `SELECT id, "creditProgramId", unit FROM ledger_account WHERE "memberId" = $1 AND "creditProgramId" IS NOT NULL ORDER BY id`,
    [from.id],
  );
  if (accounts.length === 0) return;
  await lockMemberAccounts(
    manager,
    accounts.map((a) => a.id),
  );
  for (const account of accounts) {
    const [balance]: { posted: string; held: string; incoming: string }[] = await manager.query(
      `SELECT SUM("creditsPosted" - "debitsPosted") AS posted, SUM("debitsPending") AS held, SUM("creditsPending") AS incoming
         FROM ledger_balance WHERE "accountId" = $1`,
      [account.id],
    );
    const posted = Number(balance?.posted ?? 0);
    const held = Number(balance?.held ?? 0);
    if (held > 0) {
      throw new Refusal('merge_refused', `${formatMoney(held, account.unit)} of store credit is held for a payment: merge once it settles`);
    }
    // Its confirmation would credit this account, left behind by the merge.
    const incoming = Number(balance?.incoming ?? 0);
    if (incoming > 0) {
      throw new Refusal(
        'merge_refused',
        `${formatMoney(incoming, account.unit)} of store credit is pending in a purchase's return window: merge once it is confirmed or cancelled`,
      );
    }
    if (posted === 0) continue;
    const target = await openMemberCreditAccount(manager, into, { id: account.creditProgramId, currency: account.unit });
    await ledger.transfer(
      {
        source: 'system:merge',
        key: `${from.id}:${into.id}:credit:${account.creditProgramId}`,
        legs: [
          {
            debitAccountId: account.id,
            creditAccountId: target.id,
            amount: posted,
            kind: 'merge',
            references: { from: from.externalId, to: into.externalId, creditProgram: account.creditProgramId },
          },
        ],
      },
      manager,
    );
  }
}
