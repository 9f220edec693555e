import { EarningRule, ProgramSettings } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { openDataSource } from '../wiring/database.js';
import { startEmbeddedPostgres } from '../wiring/embedded/postgres.js';
import { cores, loadEvents, startApiProcess, wrkCore } from './api-load.js';
import { pgbenchTps, postmasterOf, preparePgbench } from './api-measure.js';
import { printTable, setupBenchProgram } from './load.js';

/**
 * `npm run bench:api`: POST /api/v1/events (known members, 2 line items, unique Idempotency-Keys) at
 * 1, 8 and 32 connections from wrk, a native load generator, against the API in its own process,
 * on one hot partner and spread over 100 partners; pgbench's simple-update on the same PostgreSQL
 * at the same clients in the same run, and the CPU each event cost the API process and PostgreSQL.
 * BENCH_SECONDS sets each run's duration; BENCH_PROFILE=1 writes a CPU profile of the API process
 * to test-artifacts/profiles. With two cores or more, wrk runs on the last one (taskset), away from
 * the first, where the kernel schedules PostgreSQL and the API process first.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connectionCounts = [1, 8, 32];
/** The issue's figures on main, measured with autocannon at 32 connections. */
const today = { connections: 32, eventsPerSecond: 206, p50: 128, p99: 700 };
const cluster = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ throwaway: true, durable: true, database: 'bench' });
const url = process.env.DATABASE_URL ?? cluster!.url;

const dataSource = await openDataSource(url, { poolSize: 8 });
const program = await setupBenchProgram(dataSource, new Ledger(dataSource));
await dataSource.manager.upsert(ProgramSettings, { id: 1 }, ['id']);
await dataSource.manager.insert(EarningRule, {
  name: '1 point per euro',
  formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
});
// Known customers, as in the steady state: every store has its id for every member.
await dataSource.query(
  `INSERT INTO member_link ("partnerId", "customerId", "memberId", cause)
   SELECT p.id, m."externalId", m.id, 'store'
     FROM unnest($1::uuid[]) p(id) CROSS JOIN ledger_account a JOIN member m ON m.id = a."memberId"
    WHERE a.id = ANY($2::uuid[])
   ON CONFLICT DO NOTHING`,
  [program.partners.map((p) => p.id), program.members.map((m) => m.accountId)],
);
const keys: string[] = [];
for (const partner of program.partners) keys.push((await issueApiKey(dataSource.manager, partner.id, 'bench')).secret);
const [{ pid: backendPid }] = await dataSource.query('SELECT pg_backend_pid() AS pid');
const postmaster = postmasterOf(backendPid);
await dataSource.destroy();
const hasPgbench = await preparePgbench(url);

const api = await startApiProcess(url, Math.max(...connectionCounts) + 8);
const load = (connections: number, apiKeys: string[], duration = seconds) =>
  loadEvents({
    api,
    postmaster,
    connections,
    seconds: duration,
    script: {
      BENCH_RUN: program.members[0]!.externalId.replace(/-\d+$/, ''),
      BENCH_MEMBERS: String(program.members.length),
      BENCH_KEYS: apiKeys.join(','),
    },
  });

// Warm the API's caches, its pool and the members' rows before measuring.
load(32, keys, 2);
const baseline = new Map<number, number | undefined>();
for (const connections of connectionCounts) baseline.set(connections, hasPgbench ? pgbenchTps(url, connections, seconds) : undefined);

console.log(
  `API benchmark: ${seconds} s per run, POST /api/v1/events with 2 line items for ${program.members.length} known members, ` +
    `${cores} cores shared by wrk, the API process and PostgreSQL${wrkCore === undefined ? '' : `; wrk pinned to core ${wrkCore}`}.`,
);
const rows = [
  [
    'scenario',
    'connections',
    'events/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'API CPU ms/event',
    'PostgreSQL CPU ms/event',
    'pgbench tps',
    'ratio',
    'other CPU, cores',
  ],
  [
    'today (issue, autocannon)',
    String(today.connections),
    String(today.eventsPerSecond),
    String(today.p50),
    String(today.p99),
    '',
    'n/a',
    'n/a',
    '~4550',
    '4.5%',
    'n/a',
  ],
];
for (const [scenario, apiKeys] of [
  ['hot partner', [keys[0]!]],
  ['100 partners', keys],
] as const) {
  for (const connections of connectionCounts) {
    const figure = load(connections, [...apiKeys]);
    const reference = baseline.get(connections);
    rows.push([
      scenario,
      String(connections),
      figure.eventsPerSecond.toFixed(0),
      figure.p50.toFixed(1),
      figure.p99.toFixed(1),
      String(figure.non2xx + figure.errors),
      figure.apiMsPerEvent.toFixed(2),
      figure.pgMsPerEvent.toFixed(2),
      reference === undefined ? 'n/a' : reference.toFixed(0),
      reference === undefined ? 'n/a' : `${((figure.eventsPerSecond / reference) * 100).toFixed(1)}%`,
      figure.otherCores.toFixed(2),
    ]);
  }
}
printTable(rows);
console.log(
  'other CPU: busy CPU of the machine outside the API, PostgreSQL and wrk during the run (kernel network work included); ' +
    'far above a quiet run, other work shared the machine and the figures are low.',
);
if (!hasPgbench) console.log('pgbench was not found on PATH (Debian: postgresql-client): no ratios.');
await api.stop();
await cluster?.stop();
process.exit(0);
