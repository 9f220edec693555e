import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../entities/data-source.js';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded/postgres.js';

export interface Database {
  url: string;
  embedded?: RunningPostgres;
}

/** Where `npm start` records the URL of its running embedded cluster, for other commands. */
const urlFile = (dataDir: string) => join(dataDir, 'postgres.url');

/**
 * DATABASE_URL when it is set; else the embedded cluster of the data folder: the one `npm start`
 * is running, or a fresh start of it.
 */
export async function provideDatabase(
  config: { databaseUrl?: string; dataDir: string },
  onLog?: (line: string) => void,
): Promise<Database> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const recorded = urlFile(config.dataDir);
  if (existsSync(recorded) && existsSync(join(config.dataDir, 'postgres', 'postmaster.pid'))) {
    const url = readFileSync(recorded, 'utf8').trim();
    if (await reachable(url)) return { url };
  }
  const embedded = await startEmbeddedPostgres({ directory: join(config.dataDir, 'postgres'), preferredPort: 54320, onLog });
  writeFileSync(recorded, embedded.url);
  return { url: embedded.url, embedded };
}

async function reachable(url: string): Promise<boolean> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects and brings the schema up to date with the committed migrations. */
export async function openDataSource(url: string, options: { poolSize?: number } = {}): Promise<DataSource> {
  const dataSource = createDataSource({ url, poolSize: options.poolSize });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
