import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { EarningRule, ProgramSettings } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { partnerWallet } from '../loyalty/ledger/accounts.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { enrollMember } from '../loyalty/members.js';
import { openDataSource } from '../wiring/database.js';
import { startEmbeddedPostgres } from '../wiring/embedded/postgres.js';
import { cores, loadEvents, startApiProcess, wrkCore, type ApiProcess, type EventsLoad } from './api-load.js';
import { pgbenchTps, postmasterOf, preparePgbench } from './api-measure.js';
import { benchDataDirectory, readDataset, startBenchCluster } from './data-cluster.js';
import { generateBenchData } from './data-generator.js';
import { allowedGrowth, failures, growthOptions, percentile, ratioOf, type Comparison, type GrowthOptions } from './growth-verdict.js';
import { ledgerEarn, printTable } from './load.js';

/**
 * `npm run bench:growth` (issue 13, item 5: flat as it grows). On an empty cluster (one program:
 * the data set's 100 partners and 1,000 of its members, one earn each) and on the 1M-member,
 * 10M-transfer set of `npm run bench:data` (BENCH_DATA_DIR), each in turn:
 * - POST /api/v1/events from wrk at BENCH_CONNECTIONS for BENCH_SECONDS, known customers drawn
 *   evenly from all the members, each at their home store;
 * - a member history's first page, page 10 and page 100 by cursor, for a member with 2,100 earns;
 * - pgbench's simple-update at the same clients, so that a machine that slowed down shows.
 * Exits 1 when the p99 at 10M is over 1.2 times the empty cluster's, or a deep page over 1.2 times
 * its first page, saying which; 2 when it cannot run.
 */
let options: GrowthOptions;
try {
  options = growthOptions(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const dataset = readDataset();
if (!dataset) {
  console.error(`No data set in ${benchDataDirectory}: run npm run bench:data first (BENCH_DATA_DIR chooses where).`);
  process.exit(2);
}

/** The customer whose history is paged, at the first partner's store, and the pages measured (20 entries each). */
const heavyCustomer = 'growth-heavy';
const pageSize = 20;
const measuredPages = [1, 10, 100];
const heavyTransfers = Math.max(...measuredPages) * pageSize + pageSize;

interface ClusterFigures {
  name: string;
  events: Map<number, EventsLoad>;
  pgbench: Map<number, number | undefined>;
  /** Milliseconds of each call, by page number. */
  pages: Map<number, number[]>;
  /** Blocks PostgreSQL read (from the OS, not its buffers) per event, by index or table, over the event runs. */
  blocksRead: Map<string, number>;
}

/** Blocks read so far by each index and each table's heap (pg_statio): what an event path that grows with the data reads. */
async function blocksRead(url: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; blocks: string }>(
      `SELECT relname || ' (' || indexrelname || ')' AS name, idx_blks_read AS blocks FROM pg_statio_user_indexes
       UNION ALL SELECT relname || ' (heap)', heap_blks_read FROM pg_statio_user_tables`,
    );
    return new Map(rows.map((row) => [row.name, Number(row.blocks)]));
  } finally {
    await client.end();
  }
}

/** An earning rule, the partners' API keys in the order of their codes (customer n's home store is partner n mod 100), the member to page. */
async function prepareProgram(dataSource: DataSource): Promise<{ keys: string[] }> {
  const manager = dataSource.manager;
  await manager.upsert(ProgramSettings, { id: 1 }, ['id']);
  if (!(await manager.existsBy(EarningRule, { name: 'bench:growth, 1 point per euro' }))) {
    await manager.insert(EarningRule, {
      name: 'bench:growth, 1 point per euro',
      formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
    });
  }
  const partners: { id: string }[] = await dataSource.query(`SELECT id FROM partner WHERE code LIKE 'bench-%' ORDER BY code`);
  const keys: string[] = [];
  for (const partner of partners) keys.push((await issueApiKey(manager, partner.id, 'bench:growth')).secret);

  const { member, account } = await enrollMember(manager, { externalId: heavyCustomer });
  await dataSource.query(
    `INSERT INTO member_link ("partnerId", "customerId", "memberId", cause) VALUES ($1, $2, $3, 'store') ON CONFLICT DO NOTHING`,
    [partners[0]!.id, heavyCustomer, member.id],
  );
  const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM ledger_transfer WHERE "creditAccountId" = $1`, [
    account.id,
  ]);
  const wallet = await partnerWallet(manager, partners[0]!.id);
  const ledger = new Ledger(dataSource);
  let missing = heavyTransfers - count;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (missing > 0) {
        missing -= 1;
        await ledgerEarn(ledger, wallet.id, account.id);
      }
    }),
  );
  return { keys };
}

async function historyCall(api: ApiProcess, key: string, cursor: string | null): Promise<{ ms: number; nextCursor: string | null }> {
  const query = new URLSearchParams({ limit: String(pageSize), ...(cursor ? { cursor } : {}) });
  const began = performance.now();
  const response = await fetch(`http://127.0.0.1:${api.port}/api/v1/members/${heavyCustomer}/transactions?${query}`, {
    headers: { Authorization: `Bearer ${key}` },
  });
  const body = (await response.json()) as { nextCursor: string | null };
  const ms = performance.now() - began;
  if (response.status !== 200) throw new Error(`history answered ${response.status}: ${JSON.stringify(body)}`);
  return { ms, nextCursor: body.nextCursor };
}

/** The cursors of the measured pages (following nextCursor from the first), then calls of each page in turn. */
async function measureHistory(api: ApiProcess, key: string): Promise<Map<number, number[]>> {
  const cursors = new Map<number, string | null>([[1, null]]);
  let cursor: string | null = null;
  for (let page = 1; page < Math.max(...measuredPages); page += 1) {
    cursor = (await historyCall(api, key, cursor)).nextCursor;
    if (cursor === null) throw new Error(`the history of ${heavyCustomer} ended at page ${page}`);
    cursors.set(page + 1, cursor);
  }
  const pages = new Map(measuredPages.map((page) => [page, [] as number[]]));
  for (let call = 0; call < options.historyCalls; call += 1) {
    for (const page of measuredPages) pages.get(page)!.push((await historyCall(api, key, cursors.get(page)!)).ms);
  }
  return pages;
}

async function measureCluster(name: string, url: string, customers: number, prepare?: (dataSource: DataSource) => Promise<void>) {
  console.log(`${name}: migrating and preparing`);
  const dataSource = await openDataSource(url, { poolSize: 8 });
  await prepare?.(dataSource);
  const { keys } = await prepareProgram(dataSource);
  const [{ pid }] = await dataSource.query('SELECT pg_backend_pid() AS pid');
  const postmaster = postmasterOf(pid);
  await dataSource.destroy();
  const hasPgbench = await preparePgbench(url);
  const api = await startApiProcess(url, Math.max(...options.connections) + 8);
  try {
    const load = (connections: number, seconds: number) =>
      loadEvents({
        api,
        postmaster,
        connections,
        seconds,
        script: {
          BENCH_RUN: `growth-${randomUUID().slice(0, 8)}`,
          BENCH_PREFIX: 'c',
          BENCH_HOME_KEYS: '1',
          BENCH_MEMBERS: String(customers),
          BENCH_KEYS: keys.join(','),
        },
      });
    // Warm the API's caches, its pool and PostgreSQL's as one run does; a million members' rows stay mostly cold.
    load(Math.max(...options.connections), options.seconds);
    const figures: ClusterFigures = { name, events: new Map(), pgbench: new Map(), pages: new Map(), blocksRead: new Map() };
    const read = new Map<string, number>();
    for (const connections of options.connections) {
      figures.pgbench.set(connections, hasPgbench ? pgbenchTps(url, connections, options.seconds) : undefined);
      console.log(`${name}: events at ${connections} connections`);
      const before = await blocksRead(url);
      figures.events.set(connections, load(connections, options.seconds));
      for (const [relation, blocks] of await blocksRead(url)) {
        read.set(relation, (read.get(relation) ?? 0) + blocks - (before.get(relation) ?? 0));
      }
    }
    const events = [...figures.events.values()].reduce((sum, run) => sum + run.requests, 0);
    figures.blocksRead = new Map([...read].map(([relation, blocks]) => [relation, blocks / events]));
    console.log(`${name}: member history, ${options.historyCalls} calls of pages ${measuredPages.join(', ')}`);
    figures.pages = await measureHistory(api, keys[0]!);
    return figures;
  } finally {
    await api.stop();
  }
}

const emptyCluster = await startEmbeddedPostgres({ throwaway: true, durable: true, database: 'bench' });
let empty: ClusterFigures;
try {
  const sizes = { ...dataset.sizes, members: 1000, transfers: 1000, dueLots: 0 };
  empty = await measureCluster('empty', emptyCluster.url, sizes.members, (dataSource) =>
    generateBenchData(dataSource, emptyCluster.url, sizes, () => undefined),
  );
} finally {
  await emptyCluster.stop();
}
const setCluster = await startBenchCluster('benchmark');
let grown: ClusterFigures;
try {
  grown = await measureCluster(`${dataset.sizes.transfers / 1e6}M`, setCluster.url, dataset.sizes.members);
} finally {
  await setCluster.stop();
}

console.log(
  `\nGrowth benchmark: ${options.seconds} s per run, ${cores} cores shared by wrk, the API process and PostgreSQL` +
    `${wrkCore === undefined ? '' : `; wrk pinned to core ${wrkCore}`}. Empty: ${dataset.sizes.partners} partners, 1,000 members, ` +
    `1,000 transfers; ${grown.name}: ${dataset.sizes.members} members, ${dataset.sizes.transfers} transfers (${benchDataDirectory}).`,
);
const events: string[][] = [
  [
    'cluster',
    'connections',
    'events/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'API / PostgreSQL CPU ms/event',
    'pgbench tps',
    'ratio',
    'other CPU',
  ],
];
for (const figures of [empty, grown]) {
  for (const [connections, load] of figures.events) {
    const pgbench = figures.pgbench.get(connections);
    events.push([
      figures.name,
      String(connections),
      load.eventsPerSecond.toFixed(0),
      load.p50.toFixed(1),
      load.p99.toFixed(1),
      String(load.non2xx + load.errors),
      `${load.apiMsPerEvent.toFixed(2)} / ${load.pgMsPerEvent.toFixed(2)}`,
      pgbench === undefined ? 'n/a' : pgbench.toFixed(0),
      pgbench === undefined ? 'n/a' : `${((load.eventsPerSecond / pgbench) * 100).toFixed(1)}%`,
      load.otherCores.toFixed(2),
    ]);
  }
}
printTable(events);

const comparisons: Comparison[] = [];
const growth: string[][] = [['connections', 'p99 empty ms', `p99 ${grown.name} ms`, `${grown.name} / empty`, 'pgbench empty / grown tps']];
for (const connections of options.connections) {
  const comparison = {
    what: `POST /api/v1/events p99 at ${connections} connections, ${grown.name} against empty`,
    measured: grown.events.get(connections)!.p99,
    reference: empty.events.get(connections)!.p99,
  };
  comparisons.push(comparison);
  growth.push([
    String(connections),
    comparison.reference.toFixed(1),
    comparison.measured.toFixed(1),
    `${ratioOf(comparison).toFixed(2)}×`,
    `${empty.pgbench.get(connections)?.toFixed(0) ?? 'n/a'} / ${grown.pgbench.get(connections)?.toFixed(0) ?? 'n/a'}`,
  ]);
}
printTable(growth);

const history: string[][] = [['cluster', 'page', 'median ms', 'p99 ms', 'median / first page', `median ${grown.name} / empty`]];
for (const figures of [empty, grown]) {
  const firstMedian = percentile(figures.pages.get(1)!, 0.5);
  for (const [page, calls] of figures.pages) {
    const median = percentile(calls, 0.5);
    if (page !== 1)
      comparisons.push({
        what: `history page ${page} on ${figures.name}, median against page 1`,
        measured: median,
        reference: firstMedian,
      });
    history.push([
      figures.name,
      String(page),
      median.toFixed(2),
      percentile(calls, 0.99).toFixed(2),
      `${(median / firstMedian).toFixed(2)}×`,
      `${(median / percentile(empty.pages.get(page)!, 0.5)).toFixed(2)}×`,
    ]);
  }
}
printTable(history);

const relations = [...grown.blocksRead].sort(([, a], [, b]) => b - a).filter(([, blocks]) => blocks >= 0.05);
const reads: string[][] = [['blocks read per event (pg_statio): index or heap', 'empty', grown.name]];
reads.push([
  'all',
  ...[empty, grown].map((figures) => [...figures.blocksRead.values()].reduce((sum, blocks) => sum + blocks, 0).toFixed(2)),
]);
for (const [relation, blocks] of relations.slice(0, 15))
  reads.push([relation, (empty.blocksRead.get(relation) ?? 0).toFixed(2), blocks.toFixed(2)]);
printTable(reads);

const refused = [empty, grown].flatMap((figures) =>
  [...figures.events]
    .filter(([, load]) => load.non2xx + load.errors > 0)
    .map(
      ([connections, load]) =>
        `${figures.name} at ${connections} connections: ${load.non2xx} answers not 2xx, ${load.errors} socket errors or timeouts`,
    ),
);
const verdict = [...failures(comparisons), ...refused];
if (verdict.length === 0) {
  console.log(`Flat as it grows: every p99 at ${grown.name} and every deep page within ${allowedGrowth}× of its reference.`);
} else {
  console.log(`Not flat:\n${verdict.map((line) => `- ${line}`).join('\n')}`);
  console.log('Timings on a shared machine are indicative: the pgbench columns show whether the machine itself slowed down.');
}
process.exit(verdict.length === 0 ? 0 : 1);
