import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { hotAccountShards, openProgramAccounts } from '../loyalty/ledger/accounts.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { openDataSource } from '../wiring/database.js';
import { startEmbeddedPostgres } from '../wiring/embedded/postgres.js';
import { onPath } from '../wiring/provision/executables.js';
import { ledgerBurn, ledgerEarn, pick, printTable, runConcurrently, setupBenchProgram, type Figure } from './load.js';
import { postgresCpu } from './postgres-cpu.js';

/**
 * `npm run bench:ledger`: earn transfers per second through loyalty/ with 1, 8 and 32 clients,
 * all on one hot partner wallet and spread over 100 partners, and burns at 32 clients, next to
 * pgbench's simple-update on the same PostgreSQL for the same duration. BENCH_SECONDS sets the
 * duration of each run. CPU per operation: the Node process's from process.cpuUsage; the
 * cluster's from /proc/<pid>/stat of the postmaster and its children (on this machine only).
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
const postgresSeconds = await postgresCpu(dataSource);
console.log(
  `Ledger benchmark: ${seconds} s per run, earns and burns of 10 points over 1000 members, partner wallets of ${hotAccountShards} shards, ${os.cpus().length} cores shared by Node, PostgreSQL and pgbench.`,
);
console.log(
  'Before the ledger write function (issue 13, main): hot wallet at 32 clients ~1,160 earns/s, p99 75 ms, 25% of pgbench (~4,550 tps).',
);

/** PostgreSQL's CPU milliseconds per operation during `run`, which makes `operations()` operations. */
async function measured<T>(run: () => Promise<T> | T, operations: (result: T) => number): Promise<{ result: T; postgresMs?: number }> {
  const before = postgresSeconds();
  const result = await run();
  const after = postgresSeconds();
  const count = operations(result);
  return { result, postgresMs: before === undefined || after === undefined || count === 0 ? undefined : ((after - before) * 1000) / count };
}

const ms = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(3));
const rows: string[][] = [['scenario', 'clients', 'ops/s', 'p50 ms', 'p99 ms', 'node CPU ms/op', 'pg CPU ms/op', 'pgbench tps', 'ratio']];
const baseline = new Map<number, number | undefined>();
for (const clients of clientCounts) {
  if (!hasPgbench) break;
  const { result: tps, postgresMs } = await measured(
    () => pgbench(clients),
    (tps) => (tps ?? 0) * seconds,
  );
  baseline.set(clients, tps);
  rows.push(['pgbench simple-update', String(clients), tps!.toFixed(0), '', '', '', ms(postgresMs), tps!.toFixed(0), '100%']);
}

function row(scenario: string, clients: number, figure: Figure, postgresMs: number | undefined) {
  const reference = baseline.get(clients);
  rows.push([
    scenario,
    String(clients),
    figure.tps.toFixed(0),
    figure.p50.toFixed(2),
    figure.p99.toFixed(2),
    ms((figure.nodeCpu / figure.tps) * 1000),
    ms(postgresMs),
    reference === undefined ? 'n/a' : reference.toFixed(0),
    reference === undefined ? 'n/a' : `${((figure.tps / reference) * 100).toFixed(0)}%`,
  ]);
}

const run = (clients: number, operation: () => Promise<unknown>) =>
  measured(
    () => runConcurrently(clients, seconds, operation),
    (figure) => figure.tps * seconds,
  );
for (const [scenario, wallet] of [
  ['earn, hot wallet', () => hot!.walletId],
  ['earn, 100 partners', () => pick(program.partners).walletId],
] as const) {
  for (const clients of clientCounts) {
    const { result, postgresMs } = await run(clients, () => ledgerEarn(ledger, wallet(), pick(program.members).accountId));
    row(scenario, clients, result, postgresMs);
  }
}
// Burns take from lots: every member first earns enough for the whole run in one lot.
for (const member of program.members) {
  await ledger.transfer({
    source: 'bench',
    key: randomUUID(),
    legs: [{ debitAccountId: hot!.walletId, creditAccountId: member.accountId, amount: 100_000, kind: 'earn' }],
  });
}
const { redemption } = await openProgramAccounts(dataSource.manager);
const burns = await run(32, () => ledgerBurn(ledger, pick(program.members).accountId, redemption.id));
row('burn, 1000 members', 32, burns.result, burns.postgresMs);
printTable(rows);
if (!hasPgbench) console.log('pgbench was not found on PATH (Debian: postgresql-client): no ratios.');

await dataSource.destroy();
await cluster?.stop();
process.exit(0);
