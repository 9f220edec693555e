import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { monthStart, partitionedTables, partitionMonth } from '../../entities/partitioned-tables.js';
import { ProgramSettings } from '../../entities/program-settings.js';
import { Refusal } from '../refusal.js';
import { partitionsOf } from './maintenance.js';

export interface RetirementOptions {
  /** Partitions of months before this one (its first instant, UTC) are retired. */
  before: Date;
  /** Where archived partitions are written, one gzip'd CSV (with a header) per partition. */
  archiveDir?: string;
  now?: Date;
}

export interface RetiredPartition {
  table: string;
  partition: string;
  /** `archived`: written to `file` and dropped; `kept`: the ledger's history, left attached. */
  outcome: 'archived' | 'kept';
  rows: number;
  file?: string;
}

/** How long dropping a partition waits for its table's lock before giving up (writes queue behind it). */
const lockTimeout = '5s';

/**
 * Retires the partitions of months before `before`. Events (history `archive`) older than the
 * program's retention are copied to a gzip'd CSV in `archiveDir`, detached and dropped, one
 * partition per transaction. The ledger's tables (history `ledger`) stay attached: they are
 * refused, before anything is done, while a partition holds an open lot, and otherwise kept.
 */
export async function retirePartitions(dataSource: DataSource, options: RetirementOptions): Promise<RetiredPartition[]> {
  const before = monthStart(options.before);
  const settings = await dataSource.manager.findOneBy(ProgramSettings, { id: 1 });
  const retentionMonths = settings?.eventRetentionMonths ?? 36;
  const oldestKept = monthStart(options.now ?? new Date(), -retentionMonths);
  if (before > oldestKept) {
    throw new Refusal(
      'retirement_refused',
      `the program keeps ${retentionMonths} months of events: only months before ${yearMonth(oldestKept)} may be retired`,
      'before',
    );
  }
  const candidates: { table: (typeof partitionedTables)[number]; partition: string }[] = [];
  for (const table of partitionedTables) {
    for (const partition of await partitionsOf(dataSource.manager, table.table)) {
      const month = partitionMonth(table.table, partition);
      if (month && month < before) candidates.push({ table, partition });
    }
  }
  const open: string[] = [];
  for (const { table, partition } of candidates) {
    if (!table.openRows) continue;
    const [{ rows }] = await dataSource.query(`SELECT COUNT(*)::int AS rows FROM "${partition}" WHERE ${table.openRows}`);
    if (rows > 0) open.push(`${partition} (${rows} open)`);
  }
  if (open.length > 0) {
    throw new Refusal(
      'retirement_refused',
      `partitions of the ledger hold lots not yet spent or expired: ${open.join(', ')}; they stay attached until every lot is closed`,
      'before',
    );
  }
  if (!options.archiveDir && candidates.some(({ table }) => table.history === 'archive')) {
    throw new Refusal('retirement_refused', 'an archive directory is needed to retire events', 'archive-dir');
  }

  const retired: RetiredPartition[] = [];
  for (const { table, partition } of candidates) {
    if (table.history === 'ledger') {
      const [{ rows }] = await dataSource.query(`SELECT COUNT(*)::int AS rows FROM "${partition}"`);
      retired.push({ table: table.table, partition, outcome: 'kept', rows });
      continue;
    }
    await mkdir(options.archiveDir!, { recursive: true });
    const file = join(options.archiveDir!, `${partition}.csv.gz`);
    const rows = await archiveAndDrop(dataSource, table.table, partition, file);
    retired.push({ table: table.table, partition, outcome: 'archived', rows, file });
  }
  return retired;
}

/**
 * In one transaction: the partition is share-locked (its rows cannot change while they are written
 * out), copied to `file` (written beside it, then renamed: a file of that name is always whole),
 * detached and dropped. Should anything fail, the partition is still attached, with every row.
 */
async function archiveAndDrop(dataSource: DataSource, table: string, partition: string, file: string): Promise<number> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await runner.query(`SET LOCAL lock_timeout = '${lockTimeout}'`);
    await runner.query(`LOCK TABLE "${partition}" IN SHARE MODE`);
    const [{ rows }] = await runner.query(`SELECT COUNT(*)::int AS rows FROM "${partition}"`);
    const client = (await runner.connect()) as PoolClient;
    const partial = `${file}.partial`;
    await pipeline(
      client.query(copyTo(`COPY "${partition}" TO STDOUT (FORMAT csv, HEADER)`)),
      createGzip(),
      createWriteStream(partial, { flush: true }),
    );
    await rename(partial, file);
    await runner.query(`ALTER TABLE "${table}" DETACH PARTITION "${partition}"`);
    await runner.query(`DROP TABLE "${partition}"`);
    await runner.commitTransaction();
    return rows;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

export const yearMonth = (month: Date) => month.toISOString().slice(0, 7);
