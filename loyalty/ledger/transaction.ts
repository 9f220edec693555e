import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { isRetryable, pgError } from './database-errors.js';

const maxAttempts = 8;

/**
 * A unique violation on a constraint named `*_idempotency` means a concurrent twin of the request
 * committed first: running the work again finds it and replays it.
 */
function lostIdempotencyRace(error: unknown): boolean {
  const { code, constraint } = pgError(error);
  return code === '23505' && constraint !== undefined && constraint.endsWith('_idempotency');
}

/**
 * Runs `work` again from the start after a deadlock, a serialization failure or a lost
 * idempotency race. `work` must therefore only write to the database in one transaction:
 * anything else it does may happen more than once.
 */
export async function retried<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if ((lostIdempotencyRace(error) || isRetryable(error)) && attempt < maxAttempts) {
        await sleep(Math.random() * 5 * attempt);
        continue;
      }
      throw error;
    }
  }
}

/** Runs `work` in one database transaction, retried as above. */
export function inTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return retried(() => dataSource.transaction(work));
}
