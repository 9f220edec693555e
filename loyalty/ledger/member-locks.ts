import type { EntityManager } from 'typeorm';
import { rows } from './sql.js';

/**
 * Locks members' accounts, in id order (the ledger's own lock order: members first, by id), for
 * the rest of the caller's transaction. Take it before reading what decides a write — a one-time
 * bonus, a cap, a daily limit, a lot's remainder — so that concurrent requests for the same member
 * decide one after the other, and before any other row (a reward's stock), so that two requests
 * never wait on each other in opposite orders.
 */
export async function lockMemberAccounts(manager: EntityManager, accountIds: string[]): Promise<void> {
  await rows(manager, `SELECT 1 FROM ledger_balance WHERE "accountId" = ANY($1::uuid[]) ORDER BY "accountId", shard FOR UPDATE`, [
    [...new Set(accountIds)],
  ]);
}
