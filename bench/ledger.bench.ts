import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { hotAccountShards } from '../loyalty/ledger/accounts.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { openDataSource } from '../wiring/database.js';
import { startEmbeddedPostgres } from '../wiring/embedded/postgres.js';
import { onPath } from '../wiring/provision/executables.js';
import { ledgerEarn, pick, printTable, runConcurrently, setupBenchProgram } from './load.js';

/**
 * `npm run bench:ledger`: earn transfers per second through loyalty/ with 1, 8 and 32 clients,
 * all on one hot partner wallet and spread over 100 partners, next to pgbench's simple-update
 * on the same PostgreSQL for the same duration. BENCH_SECONDS sets the duration of each run.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const clientCounts = [1, 8, 32];
const external = process.env.DATABASE_URL;
const cluster = external ? undefined : await startEmbeddedPostgres({ throwaway: true, durable: true, database: 'bench' });
const url = external ?? cluster!.url;

const dataSource = await openDataSource(url, { poolSize: Math.max(...clientCounts) + 4 });
const ledger = new Ledger(dataSource);
const program = await setupBenchProgram(dataSource, ledger);
const [hot] = program.partners;

function pgbench(clients: number): number | undefined {
  const binary = onPath('pgbench');
  if (!binary) return undefined;
  const target = new URL(url);
  target.pathname = '/pgbench';
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(target.password) };
  const connection = ['-h', target.hostname, '-p', target.port, '-U', decodeURIComponent(target.username)];
  const result = spawnSync(
    binary,
    [
      ...connection,
      '-n',
      '-b',
      'simple-update',
      '-c',
      String(clients),
      '-j',
      String(Math.min(clients, 2)),
      '-T',
      String(seconds),
      'pgbench',
    ],
    { env, encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+)/.exec(result.stdout ?? '');
  if (!tps) throw new Error(`pgbench failed: ${result.stderr}`);
  return Number(tps[1]);
}

async function preparePgbench(): Promise<boolean> {
  const binary = onPath('pgbench');
  if (!binary) return false;
  await dataSource.query('DROP DATABASE IF EXISTS pgbench');
  await dataSource.query('CREATE DATABASE pgbench');
  const target = new URL(url);
  const result = spawnSync(
    binary,
    ['-h', target.hostname, '-p', target.port, '-U', decodeURIComponent(target.username), '-i', '-q', '-s', '10', 'pgbench'],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(target.password) }, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`pgbench -i failed: ${result.stderr}`);
  return true;
}

const hasPgbench = await preparePgbench();
console.log(
  `Ledger benchmark: ${seconds} s per run, earns of 10 points to 1000 members, partner wallets of ${hotAccountShards} shards, ${os.cpus().length} cores shared by Node and PostgreSQL.`,
);
const rows: string[][] = [['scenario', 'clients', 'earns/s', 'p50 ms', 'p99 ms', 'node CPU', 'pgbench tps', 'ratio']];
const baseline = new Map<number, number | undefined>();
for (const clients of clientCounts) baseline.set(clients, hasPgbench ? pgbench(clients) : undefined);
for (const [scenario, wallet] of [
  ['hot wallet', () => hot!.walletId],
  ['100 partners', () => pick(program.partners).walletId],
] as const) {
  for (const clients of clientCounts) {
    const figure = await runConcurrently(clients, seconds, () => ledgerEarn(ledger, wallet(), pick(program.members).accountId));
    const reference = baseline.get(clients);
    rows.push([
      scenario,
      String(clients),
      figure.tps.toFixed(0),
      figure.p50.toFixed(2),
      figure.p99.toFixed(2),
      `${(figure.nodeCpu * 100).toFixed(0)}%`,
      reference === undefined ? 'n/a' : reference.toFixed(0),
      reference === undefined ? 'n/a' : `${((figure.tps / reference) * 100).toFixed(0)}%`,
    ]);
  }
}
printTable(rows);
if (!hasPgbench) console.log('pgbench was not found on PATH (Debian: postgresql-client): no ratios.');

await dataSource.destroy();
await cluster?.stop();
process.exit(0);
