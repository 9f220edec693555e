import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../reports/mailer.js';
import { startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { createWorker } from '../workflows/worker.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';
import { startTimeSkippingServer, workflowBundle } from './support/temporal.js';

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let sink: RunningMailSink;
let mailer: Mailer;
let worker: Worker;
let running: Promise<void>;
let p: Awaited<ReturnType<typeof createProgram>>;
// A plain client: time moves only when a test says so (env.client lets it run freely, and the
// Java test server then races a new worker's first workflow task to the 10-year run timeout).
let client: Client;
const taskQueue = 'hold-timeout-test';

beforeAll(async () => {
  [db, env, sink] = await Promise.all([
    createTestDatabase(),
    startTimeSkippingServer(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
  ]);
  mailer = createMailer(sink.smtpUrl, 'Tessera <no-reply@tessera.test>');
  worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    dataSource: db.dataSource,
    mailer,
    operatorEmail: 'operator@tessera.test',
    workflowBundle: await workflowBundle(),
  });
  running = worker.run();
  p = await createProgram(db.dataSource);
  client = new Client({ connection: env.connection, namespace: env.namespace });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  mailer?.close();
  await Promise.all([env?.teardown(), sink?.stop(), db?.drop()]);
});

async function memberWithHold(name: string) {
  const { wallet } = await p.partner(1_000);
  const { account } = await p.member(name);
  await p.ledger.transfer({
    source: 'test',
    key: `${name}-earn`,
    legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount: 100, kind: 'earn' }],
  });
  const hold = await p.ledger.hold({
    source: 'test',
    key: `${name}-hold`,
    legs: [{ debitAccountId: account.id, creditAccountId: p.program.redemption.id, amount: 70, kind: 'burn' }],
  });
  return { account, pendingTransferId: hold.transfers[0]!.id };
}

it('gives held points back after 30 days of waiting, skipped in seconds', async () => {
  const { account, pendingTransferId } = await memberWithHold('held-too-long');
  expect(await p.available(account.id)).toBe(30);
  const handle = await client.workflow.start('holdTimeoutWorkflow', {
    taskQueue,
    workflowId: `hold-timeout-${pendingTransferId}`,
    args: [{ pendingTransferId, timeout: '30 days' }],
  });
  // Skip time only once the worker has started the timer: a skip past a workflow task's own
  // timeout would expire the task and make the server hand it out again.
  while ((await handle.describe()).historyLength < 5) await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  await env.sleep('29 days');
  expect(await p.available(account.id)).toBe(30);
  await env.sleep('1 day');
  expect(await handle.result()).toBe('voided');
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(await p.available(account.id)).toBe(100);
});
