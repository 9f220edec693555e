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

/**
 * Connects and brings the schema up to date with the committed migrations. With a `directUrl` other
 * than `url`, `url` is a pooler in transaction mode (PgBouncer): the migrations run over the direct
 * connection, and the pool keeps no session state.
 */
export async function openDataSource(
  url: string,
  options: { poolSize?: number; directUrl?: string; migrate?: boolean } = {},
): Promise<DataSource> {
  const { poolSize, directUrl = url, migrate = true } = options;
  const pooled = directUrl !== url;
  if (migrate) await migrateAlone(directUrl);
  const dataSource = createDataSource({ url, poolSize, transactionPooled: pooled });
  await dataSource.initialize();
  try {
    if (pooled) await requireUtcServerConnections(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/** Any number; it names the lock every Tessera process takes to migrate. */
const migrationLock = 7_301_796_035;

/**
 * Runs the pending migrations on the direct connection (a pooler in transaction mode keeps no session
 * lock) while holding a session advisory lock: processes started together (several web and worker
 * processes of one deployment) migrate one after the other, and the later ones find nothing to do.
 */
async function migrateAlone(directUrl: string): Promise<void> {
  const direct = createDataSource({ url: directUrl, poolSize: 1 });
  await direct.initialize();
  try {
    await direct.query('SELECT pg_advisory_lock($1)', [migrationLock]);
    try {
      await direct.runMigrations({ transaction: 'each' });
    } finally {
      await direct.query('SELECT pg_advisory_unlock($1)', [migrationLock]);
    }
  } finally {
    await direct.destroy();
  }
}

/**
 * The pooler cannot pass the pool's `TimeZone=UTC` on, and the product counts days in UTC: its server
 * connections must be set to UTC (PgBouncer: `timezone=UTC` on the database's line).
 */
async function requireUtcServerConnections(dataSource: DataSource): Promise<void> {
  const [{ TimeZone: zone }] = await dataSource.query(`SHOW TimeZone`);
  if (zone !== 'UTC' && zone !== 'Etc/UTC') {
    throw new Error(
      `DATABASE_URL's pooler gives connections in the time zone ${zone}: Tessera counts days in UTC. ` +
        `Set timezone=UTC on the database's line of PgBouncer's [databases] section (or ALTER DATABASE … SET TimeZone = 'UTC').`,
    );
  }
}
