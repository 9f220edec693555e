import type { DataSource, EntityManager } from 'typeorm';
import {
  defaultPartitionName,
  monthsAhead,
  monthsBetween,
  monthStart,
  partitionedTables,
  partitionName,
  type PartitionedTable,
} from '../../entities/partitioned-tables.js';

export interface TablePartitionsKept {
  table: string;
  /** Partitions this run created, oldest first. */
  created: string[];
  /** Rows taken out of the default partition into a partition created for their month. */
  moved: number;
  /** Rows the default partition still holds: dated beyond the months kept ready, or of a month before partitioning began. */
  inDefault: number;
}

/** How long adding a partition waits for its table's lock before failing (and being retried). */
const lockTimeout = '5s';

/** The names of `table`'s partitions. */
export async function partitionsOf(manager: EntityManager, table: string): Promise<string[]> {
  const rows: { name: string }[] = await manager.query(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1`,
    [table],
  );
  return rows.map((row) => row.name);
}

/**
 * Creates each partitioned table's partitions from the current month (of `now`) through
 * monthsAhead ahead, where missing. A month whose rows sit in the default partition (written
 * before its partition existed) gets them moved into its new partition, in the same transaction.
 * Idempotent: a second run creates nothing.
 */
export async function keepPartitionsAhead(dataSource: DataSource, now: Date = new Date()): Promise<TablePartitionsKept[]> {
  const results: TablePartitionsKept[] = [];
  for (const table of partitionedTables) {
    const existing = new Set(await partitionsOf(dataSource.manager, table.table));
    const result: TablePartitionsKept = { table: table.table, created: [], moved: 0, inDefault: 0 };
    for (const month of monthsBetween(monthStart(now), monthStart(now, monthsAhead))) {
      const name = partitionName(table.table, month);
      if (existing.has(name)) continue;
      result.moved += await addMonth(dataSource, table, month);
      result.created.push(name);
    }
    const [{ rows }] = await dataSource.query(`SELECT COUNT(*)::int AS rows FROM "${defaultPartitionName(table.table)}"`);
    result.inDefault = rows;
    results.push(result);
  }
  return results;
}

/**
 * Adds the partition of `month`: created apart and attached, which locks the parent table less than
 * CREATE … PARTITION OF (writes go on), unless the default partition holds rows of that month to
 * move; a short lock timeout makes a busy table fail the run, which its retry repeats, instead of
 * queueing writes behind it.
 */
async function addMonth(dataSource: DataSource, { table, column }: PartitionedTable, month: Date): Promise<number> {
  const name = partitionName(table, month);
  const [from, to] = [month.toISOString(), monthStart(month, 1).toISOString()];
  return dataSource.transaction(async (tx) => {
    await tx.query(`SET LOCAL lock_timeout = '${lockTimeout}'`);
    const [{ held }] = await tx.query(
      `SELECT EXISTS (SELECT 1 FROM "${defaultPartitionName(table)}" WHERE "${column}" >= $1 AND "${column}" < $2) AS held`,
      [from, to],
    );
    // Rows to move: a statement planned before the partition is attached would look for them in the default
    // partition only, and miss them (a burn found no lot), so nothing may read or write the table meanwhile.
    if (held) await tx.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
    await tx.query(`CREATE TABLE "${name}" (LIKE "${table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const [{ moved }] = await tx.query(
      `WITH moved AS (DELETE FROM "${defaultPartitionName(table)}" WHERE "${column}" >= $1 AND "${column}" < $2 RETURNING *),
            kept AS (INSERT INTO "${name}" SELECT * FROM moved RETURNING 1)
       SELECT COUNT(*)::int AS moved FROM kept`,
      [from, to],
    );
    await tx.query(`ALTER TABLE "${table}" ATTACH PARTITION "${name}" FOR VALUES FROM ('${from}') TO ('${to}')`);
    return moved;
  });
}
