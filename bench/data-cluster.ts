import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '../wiring/embedded/postgres.js';
import type { DataSizes } from './data-generator.js';

/**
 * The generated data set's cluster lives outside the clone, to be reused by every `npm run bench:batch`.
 * As root, PostgreSQL runs as the `postgres` user, which cannot enter /root: the set goes to /var/tmp.
 */
export const benchDataDirectory =
  process.env.BENCH_DATA_DIR ??
  (process.getuid?.() === 0 ? '/var/tmp/tessera-bench-data' : join(homedir(), '.cache', 'tessera', 'bench-data'));
const clusterDirectory = join(benchDataDirectory, 'postgres');
const datasetFile = join(benchDataDirectory, 'dataset.json');

export interface Dataset {
  sizes: DataSizes;
  generatedAt: string;
  /** The moment the generator called "today": lots due then are the expiry's work. */
  today: string;
  seconds: number;
  bytes: number;
}

export function readDataset(): Dataset | undefined {
  return existsSync(datasetFile) ? (JSON.parse(readFileSync(datasetFile, 'utf8')) as Dataset) : undefined;
}

export function recordDataset(dataset: Dataset): void {
  writeFileSync(datasetFile, `${JSON.stringify(dataset, null, 2)}\n`);
}

export function removeDataset(): void {
  rmSync(benchDataDirectory, { recursive: true, force: true });
}

/**
 * Settings for a batch machine: memory for sorts and hashes, rare checkpoints. `loading` adds
 * wal_level=minimal, with which COPY into a table truncated in the same transaction and index
 * builds write no WAL; it needs a restart either way.
 */
async function configure(url: string, loading: boolean): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const [name, value] of [
      ['shared_buffers', '1GB'],
      ['work_mem', '64MB'],
      ['maintenance_work_mem', '512MB'],
      ['max_wal_size', '2GB'],
      ['checkpoint_timeout', '30min'],
      ['wal_level', loading ? 'minimal' : 'replica'],
      ['max_wal_senders', loading ? '0' : '10'],
    ]) {
      await client.query(`ALTER SYSTEM SET ${name} = '${value}'`);
    }
  } finally {
    await client.end();
  }
}

/** Starts the data set's cluster (creating it when absent), configured for loading or for the benchmark. */
export async function startBenchCluster(mode: 'loading' | 'benchmark'): Promise<RunningPostgres> {
  const start = () => startEmbeddedPostgres({ directory: clusterDirectory, database: 'bench' });
  const first = await start();
  await configure(first.url, mode === 'loading');
  await first.stop();
  return start();
}
