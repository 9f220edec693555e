import type { EntityManager } from 'typeorm';

/**
 * Runs SQL in the manager's transaction and returns the rows, whatever the statement: TypeORM's
 * `manager.query` answers UPDATE ... RETURNING with `[rows, count]` instead of the rows.
 */
export async function rows<T>(manager: EntityManager, sql: string, parameters: unknown[] = []): Promise<T[]> {
  if (!manager.queryRunner) return manager.query(sql, parameters);
  const result = await manager.queryRunner.query(sql, parameters, true);
  return result.records as T[];
}
