import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { isTransactionPooled } from '../../entities/data-source.js';

interface PgClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const statementNames = new Map<string, string>();

/**
 * Runs SQL in the manager's transaction and returns the rows, as a named prepared statement: the
 * ledger's statements are few and run constantly, so PostgreSQL plans each once per connection
 * instead of at every call. (TypeORM's `manager.query` can do neither.) Not through a pooler in
 * transaction mode: the next transaction may run on a server connection that never prepared it.
 */
export async function rows<T>(manager: EntityManager, sql: string, parameters: unknown[] = []): Promise<T[]> {
  if (!manager.queryRunner) return manager.query(sql, parameters);
  let name = statementNames.get(sql);
  if (!name) {
    name = `ledger_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  const client = (await manager.queryRunner.connect()) as PgClient;
  const statement = isTransactionPooled(manager.connection) ? { text: sql, values: parameters } : { name, text: sql, values: parameters };
  const result = await client.query(statement);
  return result.rows as T[];
}
