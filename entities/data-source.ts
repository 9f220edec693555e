import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { entities } from './index.js';
import { migrations } from './migrations/index.js';

export interface DataSourceOptions {
  url: string;
  /** Connections in the pool; the ledger benchmark raises it to match its clients. */
  poolSize?: number;
  logging?: boolean;
}

/** The one way to reach the database. Schema changes come from committed migrations only. */
export function createDataSource({ url, poolSize = 20, logging = false }: DataSourceOptions): DataSource {
  return new DataSource({
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
      options: '-c TimeZone=UTC -c idle_in_transaction_session_timeout=60000',
    },
  });
}
