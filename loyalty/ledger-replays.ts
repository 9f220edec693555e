import type { EntityManager } from 'typeorm';

/**
 * The transfer (its first leg) an earlier request wrote under this idempotency source and key, if
 * one did. Read under the member's lock, it tells a request sent twice (a form submitted again)
 * from a new one before any rule that the first would now break — a daily limit, the stock —
 * is checked.
 */
export async function writtenUnder(manager: EntityManager, source: string, key: string): Promise<string | null> {
  const [row]: { id: string }[] = await manager.query(
    `SELECT id FROM ledger_transfer WHERE "idempotencySource" = $1 AND "idempotencyKey" = $2 ORDER BY leg LIMIT 1`,
    [source, key],
  );
  return row?.id ?? null;
}
