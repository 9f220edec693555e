import pg from 'pg';
import type { DataSource } from 'typeorm';
import { configurationChanged, setFreshness } from '../loyalty/configuration-freshness.js';

export const configurationChannel = 'tessera_configuration';

export interface ConfigurationListener {
  close(): Promise<void>;
}

export interface ListenerOptions {
  /** How soon a lost connection is tried again. */
  retryMs?: number;
  /** How often the connection is checked: a connection that died silently hears nothing. */
  heartbeatMs?: number;
  log?: (message: string, error?: unknown) => void;
}

/**
 * Keeps `dataSource`'s caches of configuration (API keys, rules, campaigns, settings) until a change
 * is announced on `tessera_configuration` (triggers on their tables, sent at commit). LISTEN needs a
 * session of its own, so `url` is the direct connection (DATABASE_DIRECT_URL), never a pooler in
 * transaction mode. While the connection is down, or a heartbeat goes unanswered, nothing is cached
 * (every request reads the database) until it listens again. Resolves once it listens.
 */
export async function listenForConfigurationChanges(
  dataSource: DataSource,
  url: string,
  { retryMs = 1_000, heartbeatMs = 5_000, log = () => undefined }: ListenerOptions = {},
): Promise<ConfigurationListener> {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  setFreshness(dataSource, 'interrupted');

  const lost = (error?: unknown) => {
    if (closed || !client) return;
    log('configuration listener lost its connection; caching nothing until it listens again', error);
    setFreshness(dataSource, 'interrupted');
    const dead = client;
    client = undefined;
    dead.removeAllListeners();
    dead.on('error', () => undefined);
    dead.end().catch(() => undefined);
    retry = setTimeout(() => void connect().catch(lost), retryMs);
  };

  async function connect(): Promise<void> {
    const candidate = new pg.Client({ connectionString: url, keepAlive: true, application_name: 'tessera configuration listener' });
    client = candidate;
    candidate.on('notification', () => configurationChanged(dataSource));
    candidate.on('error', lost);
    candidate.on('end', () => lost(new Error('connection ended')));
    await candidate.connect();
    await candidate.query(`LISTEN ${configurationChannel}`);
    // Whatever changed while nobody listened was never cached: from here on, every change is heard.
    if (client === candidate && !closed) setFreshness(dataSource, 'notified');
  }

  const heartbeat = setInterval(() => {
    const current = client;
    if (!current) return;
    const deadline = setTimeout(() => {
      if (client === current) lost(new Error(`no answer within ${heartbeatMs} ms`));
    }, heartbeatMs);
    current
      .query('SELECT 1')
      .then(() => clearTimeout(deadline))
      .catch((error: unknown) => {
        clearTimeout(deadline);
        if (client === current) lost(error);
      });
  }, heartbeatMs);
  heartbeat.unref();

  try {
    await connect();
  } catch (error) {
    clearInterval(heartbeat);
    closed = true;
    await client?.end().catch(() => undefined);
    setFreshness(dataSource, 'unwatched');
    throw error;
  }

  return {
    async close() {
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(retry);
      const last = client;
      client = undefined;
      last?.removeAllListeners();
      await last?.end().catch(() => undefined);
      setFreshness(dataSource, 'unwatched');
    },
  };
}
