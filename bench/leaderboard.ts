import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Leaderboard } from '../entities/index.js';
import { periodKeyAt } from '../loyalty/engagement/challenge-periods.js';
import { membersAboveSql } from '../loyalty/engagement/leaderboard-buckets.js';
import { leaderboardRanking, memberRank } from '../loyalty/engagement/leaderboard-ranking.js';
import { offer } from '../loyalty/engagement/leaderboard-scores.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { openDataSource } from '../wiring/database.js';
import { startEmbeddedPostgres } from '../wiring/embedded/postgres.js';
import { onPath } from '../wiring/provision/executables.js';
import { pick, printTable, runConcurrently, type Figure } from './load.js';
import { postgresCpu } from './postgres-cpu.js';

/**
 * `npm run bench:leaderboard`: one leaderboard period with 1,000,000 members' scores (made with
 * generate_series; the triggers fill their buckets), then its top 10, a random member's rank (with
 * the top 10, and alone: a sum over the score buckets) and concurrent score updates (an event's
 * points added: the round's shared lock, the contribution, the score's upsert and its buckets, one
 * transaction each), at 1 and 8 clients, each next to pgbench's simple-update on the same cluster
 * for the same duration. BENCH_SECONDS sets each run's length (default 10), BENCH_MEMBERS the size.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const members = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const clientCounts = [1, 8];
const external = process.env.DATABASE_URL;
const cluster = external ? undefined : await startEmbeddedPostgres({ throwaway: true, durable: true, database: 'bench' });
const url = external ?? cluster!.url;
const dataSource = await openDataSource(url, { poolSize: Math.max(...clientCounts) + 4 });

function pgbenchArgs(): { connection: string[]; env: NodeJS.ProcessEnv } {
  const target = new URL(url);
  return {
    connection: ['-h', target.hostname, '-p', target.port, '-U', decodeURIComponent(target.username)],
    env: { ...process.env, PGPASSWORD: decodeURIComponent(target.password) },
  };
}

async function preparePgbench(): Promise<boolean> {
  const binary = onPath('pgbench');
  if (!binary) return false;
  await dataSource.query('DROP DATABASE IF EXISTS pgbench');
  await dataSource.query('CREATE DATABASE pgbench');
  const { connection, env } = pgbenchArgs();
  const result = spawnSync(binary, [...connection, '-i', '-q', '-s', '10', 'pgbench'], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pgbench -i failed: ${result.stderr}`);
  return true;
}

function pgbench(clients: number): number {
  const { connection, env } = pgbenchArgs();
  const args = [
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
  ];
  const result = spawnSync(onPath('pgbench')!, args, { env, encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(result.stdout ?? '');
  if (!tps) throw new Error(`pgbench failed: ${result.stderr}`);
  return Number(tps[1]);
}

const hasPgbench = await preparePgbench();
const postgresSeconds = await postgresCpu(dataSource);

const board = await dataSource.manager.save(
  dataSource.manager.create(Leaderboard, {
    name: 'Bench',
    metric: 'points_earned',
    period: 'weekly',
    timeZone: 'Europe/Amsterdam',
    startsAt: new Date(Date.now() - 86_400_000),
    status: 'live',
  }),
);
const periodKey = periodKeyAt(board, new Date())!;
const started = Date.now();
// Scores up to 100,000 points, so many members tie (about ten per score), as on a real board.
await dataSource.query(
  `INSERT INTO leaderboard_score ("leaderboardId", "periodKey", "memberId", score, "reachedAt")
   SELECT $1, $2, gen_random_uuid(), (random() * 100000)::bigint, now() - random() * interval '3 days' FROM generate_series(1, $3)`,
  [board.id, periodKey, members],
);
await dataSource.query('VACUUM ANALYZE leaderboard_score, leaderboard_score_bucket');
const sample: string[] = (
  await dataSource.query(`SELECT "memberId" FROM leaderboard_score TABLESAMPLE SYSTEM (2) WHERE "leaderboardId" = $1 LIMIT 10000`, [
    board.id,
  ])
).map((r: { memberId: string }) => r.memberId);
console.log(
  `Leaderboard benchmark: ${members.toLocaleString('en')} members' scores in one period, made in ${((Date.now() - started) / 1000).toFixed(1)} s; ${seconds} s per run, ${os.cpus().length} cores shared by Node, PostgreSQL and pgbench.`,
);

async function measured(run: () => Promise<Figure>): Promise<{ figure: Figure; postgresMs?: number }> {
  const before = postgresSeconds();
  const figure = await run();
  const after = postgresSeconds();
  const count = figure.tps * seconds;
  return { figure, postgresMs: before === undefined || after === undefined || count === 0 ? undefined : ((after - before) * 1000) / count };
}

const ms = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(3));
const rows: string[][] = [['measure', 'clients', 'ops/s', 'p50 ms', 'p99 ms', 'pg CPU ms/op', 'pgbench tps', 'ratio']];
const scenarios: [string, () => Promise<unknown>][] = [
  ['top 10', () => leaderboardRanking(dataSource.manager, board, { periodKey })],
  ['a member’s rank (and the top 10)', () => leaderboardRanking(dataSource.manager, board, { periodKey, memberId: pick(sample) })],
  ['a member’s rank alone', () => memberRank(dataSource.manager, board.id, periodKey, null, pick(sample))],
  [
    'score update (an event’s points)',
    () =>
      inTransaction(dataSource, (m) =>
        offer(
          m,
          board,
          { id: randomUUID(), memberId: pick(sample), points: 1 + Math.floor(Math.random() * 100), occurredAt: new Date() },
          periodKey,
        ),
      ),
  ],
];
for (const clients of clientCounts) {
  const reference = hasPgbench ? pgbench(clients) : undefined;
  if (reference !== undefined)
    rows.push(['pgbench simple-update', String(clients), reference.toFixed(0), '', '', '', reference.toFixed(0), '100%']);
  for (const [measure, operation] of scenarios) {
    const { figure, postgresMs } = await measured(() => runConcurrently(clients, seconds, operation));
    rows.push([
      measure,
      String(clients),
      figure.tps.toFixed(0),
      figure.p50.toFixed(2),
      figure.p99.toFixed(2),
      ms(postgresMs),
      reference === undefined ? 'n/a' : reference.toFixed(0),
      reference === undefined ? 'n/a' : `${((figure.tps / reference) * 100).toFixed(0)}%`,
    ]);
  }
}
// The plans behind the figures: the top is an index scan, a rank a sum over a few buckets, for a
// member near the top, in the middle and near the bottom.
const rankSql = `SELECT 1 + ${membersAboveSql('$1::uuid', '$2::text', '$3::bigint')} AS rank`;
for (const [what, sql, params] of [
  [
    'top 10',
    `SELECT "memberId", score FROM leaderboard_score WHERE "leaderboardId" = $1 AND "periodKey" = $2 AND score > 0 ORDER BY score DESC, "reachedAt", "memberId" LIMIT 10`,
    [board.id, periodKey],
  ],
  ['rank at 99,000', rankSql, [board.id, periodKey, 99_000]],
  ['rank at 50,000', rankSql, [board.id, periodKey, 50_000]],
  ['rank at 100', rankSql, [board.id, periodKey, 100]],
] as const) {
  const plan: { 'QUERY PLAN': string }[] = await dataSource.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, [...params]);
  console.log(`${what}:\n  ${plan.map((p) => p['QUERY PLAN']).join('\n  ')}`);
}
const [{ buckets }] = await dataSource.query(
  `SELECT count(*)::int AS buckets FROM leaderboard_score_bucket WHERE "leaderboardId" = $1 AND "periodKey" = $2`,
  [board.id, periodKey],
);
console.log(`${buckets.toLocaleString('en')} score buckets for ${members.toLocaleString('en')} scores.`);
printTable(rows);
if (!hasPgbench) console.log('pgbench was not found on PATH (Debian: postgresql-client): no ratios.');

await dataSource.destroy();
await cluster?.stop();
process.exit(0);
