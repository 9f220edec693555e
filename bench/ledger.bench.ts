import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { creditPurchasedPoints } from '../loyalty/funding.js';
import { hotAccountShards, openProgramAccounts } from '../loyalty/ledger/accounts.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { enrollMember } from '../loyalty/members.js';
import { onboardPartner } from '../loyalty/partners.js';
import { openDataSource } from '../wiring/database.js';
import { startEmbeddedPostgres } from '../wiring/embedded/postgres.js';
import { onPath } from '../wiring/provision/executables.js';

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
const manager = dataSource.manager;
await openProgramAccounts(manager);
const run = randomUUID().slice(0, 8);
const wallets: string[] = [];
for (let i = 0; i < 100; i++) {
  const { wallet } = await onboardPartner(manager, { code: `bench-${run}-${i}`, name: `Bench partner ${i}` });
  await creditPurchasedPoints(manager, ledger, { walletAccountId: wallet.id, points: 1_000_000_000, key: `bench-${run}-${i}` });
  wallets.push(wallet.id);
}
const members: string[] = [];
for (let i = 0; i < 1000; i++) members.push((await enrollMember(manager, { externalId: `bench-${run}-${i}` })).account.id);

interface Figure {
  tps: number;
  p50: number;
  p99: number;
  /** Share of one core this Node process used: it competes with PostgreSQL for the machine. */
  nodeCpu: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function earnLoad(clients: number, pickWallet: () => string): Promise<Figure> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await ledger.transfer({
          source: 'bench',
          key: randomUUID(),
          legs: [
            {
              debitAccountId: pickWallet(),
              creditAccountId: members[Math.floor(Math.random() * members.length)]!,
              amount: 10,
              kind: 'earn',
              expiresAt: new Date(Date.now() + 365 * 86_400_000),
              explanation: [{ rule: 'bench', points: 10, reason: 'benchmark earn' }],
            },
          ],
        });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    tps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    nodeCpu: (cpu.user + cpu.system) / 1e6 / elapsed,
  };
}

function pgbench(clients: number): number | undefined {
  const binary = onPath('pgbench');
  if (!binary) return undefined;
  const target = new URL(url);
  target.pathname = '/pgbench';
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(target.password) };
  const connection = ['-h', target.hostname, '-p', target.port, '-U', decodeURIComponent(target.username)];
  const result = spawnSync(
    binary,
    [...connection, '-n', '-b', 'simple-update', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), 'pgbench'],
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
console.log(`Ledger benchmark: ${seconds} s per run, earns of 10 points to 1000 members, partner wallets of ${hotAccountShards} shards, ${os.cpus().length} cores shared by Node and PostgreSQL.`);
const rows: string[][] = [['scenario', 'clients', 'earns/s', 'p50 ms', 'p99 ms', 'node CPU', 'pgbench tps', 'ratio']];
const baseline = new Map<number, number | undefined>();
for (const clients of clientCounts) baseline.set(clients, hasPgbench ? pgbench(clients) : undefined);
for (const [scenario, pick] of [
  ['hot wallet', () => wallets[0]!],
  ['100 partners', () => wallets[Math.floor(Math.random() * wallets.length)]!],
] as const) {
  for (const clients of clientCounts) {
    const figure = await earnLoad(clients, pick);
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
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const [index, row] of rows.entries()) {
  console.log(`| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`);
  if (index === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
}
if (!hasPgbench) console.log('pgbench was not found on PATH (Debian: postgresql-client): no ratios.');

await dataSource.destroy();
await cluster?.stop();
process.exit(0);
