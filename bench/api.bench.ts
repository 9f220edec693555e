import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { EarningRule, ProgramSettings } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { openDataSource } from '../wiring/database.js';
import { startEmbeddedPostgres } from '../wiring/embedded/postgres.js';
import { ledgerEarn, pick, printTable, runConcurrently, setupBenchProgram } from './load.js';

/**
 * `npm run bench:api`: POST /events with realistic bodies at 32 connections (autocannon), on one
 * hot partner and spread over 100 partners, next to the ledger-only earn rate measured in the
 * same run on the same PostgreSQL. BENCH_SECONDS sets the duration of each run; BENCH_PROFILE=1
 * writes a CPU profile of the API process to test-artifacts/profiles.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 32;
const cluster = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ throwaway: true, durable: true, database: 'bench' });
const url = process.env.DATABASE_URL ?? cluster!.url;

const dataSource = await openDataSource(url, { poolSize: connections + 4 });
const ledger = new Ledger(dataSource);
const program = await setupBenchProgram(dataSource, ledger);
await dataSource.manager.upsert(ProgramSettings, { id: 1 }, ['id']);
await dataSource.manager.insert(EarningRule, {
  name: '1 point per euro',
  formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
});
const keys: string[] = [];
for (const partner of program.partners) keys.push((await issueApiKey(dataSource.manager, partner.id, 'bench')).secret);

const ledgerOnly = await runConcurrently(connections, seconds, () =>
  ledgerEarn(ledger, program.partners[0]!.walletId, pick(program.members).accountId),
);
await dataSource.destroy();

const server = spawn(
  process.execPath,
  [
    ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=test-artifacts/profiles'] : []),
    '--import',
    'tsx',
    'bench/api-server.ts',
  ],
  {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const port: number = await new Promise((resolve) =>
  server.stdout!.on('data', (chunk: Buffer) => {
    const match = /listening (\d+)/.exec(chunk.toString());
    if (match) resolve(Number(match[1]));
  }),
);

function eventBody(): string {
  const quantity = 1 + Math.floor(Math.random() * 3);
  return JSON.stringify({
    member: { externalId: pick(program.members).externalId },
    type: 'purchase',
    amountCents: quantity * 1_299 + 450,
    currency: 'EUR',
    channel: 'web',
    lines: [
      { reference: 'NOVEL-PB', category: 'books', quantity, unitPriceCents: 1_299 },
      { reference: 'FLAT-WHITE', category: 'coffee', quantity: 1, unitPriceCents: 450 },
    ],
  });
}

async function load(key: () => string) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/events',
        setupRequest: (request) => ({
          ...request,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${key()}`,
            'idempotency-key': randomUUID(),
          },
          body: eventBody(),
        }),
      },
    ],
  });
  return result;
}

console.log(`API benchmark: ${seconds} s per run, ${connections} connections, POST /api/v1/events with 2 line items.`);
const rows = [['scenario', 'events/s', 'p50 ms', 'p99 ms', 'non-2xx', 'ledger-only earns/s', 'ratio']];
for (const [scenario, key] of [
  ['hot partner', () => keys[0]!],
  ['100 partners', () => pick(keys)],
] as const) {
  const result = await load(key);
  rows.push([
    scenario,
    result.requests.average.toFixed(0),
    String(result.latency.p50),
    String(result.latency.p99),
    String(result.non2xx + result.errors),
    ledgerOnly.tps.toFixed(0),
    `${((result.requests.average / ledgerOnly.tps) * 100).toFixed(0)}%`,
  ]);
}
printTable(rows);
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
await cluster?.stop();
process.exit(0);
