import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDataSource } from '../entities/data-source.js';
import { EarningRule, ProgramSettings } from '../entities/index.js';
import { issueApiKey, revokeApiKey } from '../loyalty/api-keys.js';
import { createCampaign, scheduleCampaign } from '../loyalty/campaigns/campaigns.js';
import { freshnessOf } from '../loyalty/configuration-freshness.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { listenForConfigurationChanges, type ConfigurationListener } from '../wiring/configuration-listener.js';
import { createWebApp } from '../wiring/web-app.js';
import { campaignDraft } from './support/campaign-draft.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** Two web processes of one program: each its own pool, listener and caches, one database. */
interface Process {
  dataSource: DataSource;
  listener: ConfigurationListener;
  server: Server;
  base: string;
}

let db: TestDatabase;
let partnerId: string;
const processes: Process[] = [];

async function startProcess(dataSource: DataSource): Promise<Process> {
  const listener = await listenForConfigurationChanges(dataSource, db.url, { retryMs: 100, heartbeatMs: 500 });
  const server = createWebApp({ health: {}, api: { dataSource, ledger: new Ledger(dataSource) } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const started = { dataSource, listener, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1` };
  processes.push(started);
  return started;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'never' } });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  partnerId = (await p.partner(100_000)).partner.id;
  const other = createDataSource({ url: db.url });
  await other.initialize();
  await startProcess(db.dataSource);
  await startProcess(other);
});
afterAll(async () => {
  for (const { server, listener, dataSource } of processes) {
    server.close();
    await listener.close();
    if (dataSource !== db.dataSource) await dataSource.destroy();
  }
  await db.drop();
});

const purchase = (process: Process, key: string, externalId: string, amountCents = 1_000) =>
  fetch(`${process.base}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ member: { externalId }, type: 'purchase', amountCents, currency: 'EUR' }),
  });

/** Polls `check` for up to two seconds: "within a moment". */
async function within<T>(check: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const value = await check();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

it('refuses a key revoked in one process in every other process within a moment', async () => {
  const [first, second] = processes as [Process, Process];
  const { secret, key } = await issueApiKey(first.dataSource.manager, partnerId, 'till 3');
  expect((await purchase(first, secret, 'ada')).status).toBe(201);
  expect((await purchase(second, secret, 'ada')).status).toBe(201);
  expect(freshnessOf(second.dataSource)).toBe('notified');

  expect(await revokeApiKey(first.dataSource.manager, partnerId, key.id)).toBe(true);
  const refused = await within(
    () => purchase(second, secret, 'ada'),
    (response) => response.status === 401,
  );
  expect(refused.status).toBe(401);
  expect((await refused.json()).detail).toBe('The API key is unknown or revoked');
  expect((await purchase(first, secret, 'ada')).status).toBe(401);
});

it('applies a campaign created after the configuration was cached to the next event', async () => {
  const [first, second] = processes as [Process, Process];
  const { secret } = await issueApiKey(first.dataSource.manager, partnerId, 'till 4');
  const before = await purchase(second, secret, 'grace', 2_000);
  expect(await before.json()).toMatchObject({ totalPoints: 20 });

  const made = await inTransaction(first.dataSource, (m) =>
    createCampaign(
      m,
      campaignDraft({
        trigger: { kind: 'purchase_amount' },
        reward: { kind: 'points_per_unit', pointsPerUnit: 1, rounding: 'down' },
        startsAt: null,
      }),
      'pm@tessera.test',
    ),
  );
  await inTransaction(first.dataSource, (m) => scheduleCampaign(m, made.id));
  const after = await purchase(second, secret, 'grace', 2_000);
  expect(await after.json()).toMatchObject({ totalPoints: 40 });
});

it('caches nothing while its listener is cut off, and listens again by itself', async () => {
  const [first, second] = processes as [Process, Process];
  const { secret, key } = await issueApiKey(first.dataSource.manager, partnerId, 'till 5');
  expect((await purchase(second, secret, 'alan')).status).toBe(201);
  // Every listener of the database loses its session, as when a failover or a network cut drops it.
  await db.dataSource.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE application_name = 'tessera configuration listener' AND datname = current_database()`,
  );
  expect(
    await within(
      async () => freshnessOf(second.dataSource),
      (f) => f === 'interrupted',
    ),
  ).toBe('interrupted');
  expect(await revokeApiKey(first.dataSource.manager, partnerId, key.id)).toBe(true);
  expect((await purchase(second, secret, 'alan')).status).toBe(401);

  expect(
    await within(
      async () => freshnessOf(second.dataSource),
      (f) => f === 'notified',
    ),
  ).toBe('notified');
  const { secret: renewed, key: renewedKey } = await issueApiKey(first.dataSource.manager, partnerId, 'till 5, renewed');
  expect((await purchase(second, renewed, 'alan')).status).toBe(201);
  await revokeApiKey(first.dataSource.manager, partnerId, renewedKey.id);
  expect(
    (
      await within(
        () => purchase(second, renewed, 'alan'),
        (r) => r.status === 401,
      )
    ).status,
  ).toBe(401);
});
