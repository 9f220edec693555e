import { spawn, type ChildProcess } from 'node:child_process';
import { memberConsentHeaders } from './support/member-consent.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, ProgramSettings, Redemption, Reward } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { readInbox, startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { temporalProcesses } from '../workflows/process-dispatch.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';
import { startDevServer, testTiming } from './support/temporal.js';

let db: TestDatabase;
let temporal: TestWorkflowEnvironment;
let sink: RunningMailSink;
let smsSink: RunningSmsSink;
let server: Server;
const workers: ChildProcess[] = [];
const taskQueue = 'crash-test';

beforeAll(async () => {
  [db, temporal, sink, smsSink] = await Promise.all([
    createTestDatabase(),
    startDevServer(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
  ]);
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  server?.close();
  await Promise.all([temporal?.teardown(), sink?.stop(), smsSink?.stop(), db?.drop()]);
});

/** The production worker process, on the test's services. */
function startWorker(): ChildProcess {
  const child = spawn('node', ['--import', 'tsx', 'wiring/worker.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_URL: sink.smtpUrl,
      SMS_URL: smsSink.smsUrl,
      SESSION_SECRET: 'unused-by-the-worker-but-harmless-here',
      // The fake supplier, asked for by name as only tests and demos do.
      REWARD_SUPPLIER: 'fake',
      FAKE_SUPPLIER_SHIP_SECONDS: '4',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  workers.push(child);
  return child;
}

it('finishes a fulfilment exactly once when its worker is killed in the middle and another takes over', async () => {
  const p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1 });
  await db.dataSource.manager.insert(EarningRule, {
    name: '10 points per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 10, rounding: 'down' },
  });
  await db.dataSource.manager.insert(Reward, { code: 'lamp', name: 'Desk lamp', pointsPrice: 250, needsFulfilment: true, stock: 3 });
  const { partner } = await p.partner(10_000);
  const key = (await issueApiKey(db.dataSource.manager, partner.id, 'test')).secret;
  const processes = temporalProcesses({
    client: temporal.client,
    taskQueue,
    dataSource: db.dataSource,
    timing: { ...testTiming, fulfilment: { firstPollAfter: '500 milliseconds', pollAtMostEvery: '2 seconds', giveUpAfter: '5 minutes' } },
  });
  server = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger, processes } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const post = async (path: string, body: unknown) =>
    (
      await fetch(`${api}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
          ...(await memberConsentHeaders(db.dataSource, key, path)),
        },
        body: JSON.stringify(body),
      })
    ).json();

  const first = startWorker();
  await post('/events', {
    member: { externalId: 'crash-ann', email: 'crash-ann@example.test' },
    type: 'purchase',
    amountCents: 4_000,
    currency: 'EUR',
  });
  const redemption = await post('/members/crash-ann/redemptions', { reward: 'lamp' });
  const status = async () => (await db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id })).status;
  await expect.poll(status, { timeout: 60_000 }).toBe('ordered');
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));

  startWorker();
  // A step lost with the first worker is retried after its 15-20 s timeout.
  await expect.poll(status, { timeout: 120_000 }).toBe('fulfilled');
  const { transferId } = await db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id });
  const [{ resolutions }] = await db.dataSource.query(
    `SELECT COUNT(*)::int AS resolutions FROM ledger_transfer WHERE "pendingTransferId" = $1`,
    [transferId],
  );
  expect(resolutions).toBe(1);
  const [{ available, held }] = await db.dataSource.query(
    `SELECT SUM(b."creditsPosted" - b."debitsPosted" - b."debitsPending")::int AS available, SUM(b."debitsPending")::int AS held
       FROM ledger_balance b JOIN ledger_account a ON a.id = b."accountId" WHERE a.code = 'member:crash-ann'`,
  );
  expect({ available, held }).toEqual({ available: 150, held: 0 });
  await expect
    .poll(async () => (await readInbox(sink.directory)).filter((m) => m.to.includes('crash-ann@example.test')).length, { timeout: 10_000 })
    .toBe(1);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
}, 240_000);
