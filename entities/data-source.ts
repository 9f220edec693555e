import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { entities } from './index.js';
import { migrations } from './migrations/index.js';

export interface DataSourceOptions {
  url: string;
  /** Connections in the pool; the ledger benchmark raises it to match its clients. */
  poolSize?: number;
  logging?: boolean;
  /**
   * The URL is a pooler in transaction mode (PgBouncer): each transaction may get another server
   * connection, so nothing may rely on session state, and startup options are not passed through.
   */
  transactionPooled?: boolean;
}

const transactionPooled = new WeakSet<DataSource>();

/** Whether the data source reaches PostgreSQL through a pooler in transaction mode (see DataSourceOptions). */
export function isTransactionPooled(dataSource: DataSource): boolean {
  return transactionPooled.has(dataSource);
}

/** The one way to reach the database. Schema changes come from committed migrations only. */
export function createDataSource({
  url,
  poolSize = 20,
  logging = false,
  transactionPooled: pooled = false,
}: DataSourceOptions): DataSource {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'schema_migration',
    synchronize: false,
    logging,
    extra: {
      max: poolSize,
      // Waiting for a connection, or a transaction left open, ends as an error instead of a hang.
      connectionTimeoutMillis: 30_000,
      // Day boundaries (caps, daily limits, "issued today") are UTC days, whatever the server's zone.
      // A pooler refuses startup options: it sets both itself (see wiring/database.ts, which checks the zone).
      ...(pooled ? {} : { options: '-c TimeZone=UTC -c idle_in_transaction_session_timeout=60000' }),
    },
  });
  if (pooled) transactionPooled.add(dataSource);
  return dataSource;
}
