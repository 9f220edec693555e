import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../reports/mailer.js';
import { readInbox, startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { createWorker } from '../workflows/worker.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';
import { startDevServer, workflowBundle } from './support/temporal.js';

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let sink: RunningMailSink;
let mailer: Mailer;
let worker: Worker;
let running: Promise<void>;
const taskQueue = 'dev-server-test';

beforeAll(async () => {
  [db, env, sink] = await Promise.all([
    createTestDatabase(),
    startDevServer(),
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
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  mailer?.close();
  await Promise.all([env?.teardown(), sink?.stop(), db?.drop()]);
});

it('runs the ledger audit on the Temporal dev server and mails the operator when an invariant fails', async () => {
  const p = await createProgram(db.dataSource);
  const { wallet } = await p.partner(1_000);
  const { account: member } = await p.member('audit-member');
  await p.ledger.transfer({
    source: 'test',
    key: 'audit-earn',
    legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 40, kind: 'earn' }],
  });

  const healthy = await env.client.workflow.execute('ledgerAuditWorkflow', {
    taskQueue,
    workflowId: 'ledger-audit-healthy',
  });
  expect(healthy).toMatchObject({ ok: true, violations: 0 });
  expect(await readInbox(sink.directory)).toEqual([]);

  await db.dataSource.query(`UPDATE ledger_balance SET "creditsPosted" = "creditsPosted" + 5 WHERE "accountId" = $1`, [member.id]);
  const broken = await env.client.workflow.execute('ledgerAuditWorkflow', {
    taskQueue,
    workflowId: 'ledger-audit-broken',
  });
  expect(broken.ok).toBe(false);
  const [mail] = await readInbox(sink.directory);
  expect(mail?.to).toEqual(['operator@tessera.test']);
  expect(mail?.subject).toMatch(/ledger check failed: \d+ violation/);
  expect(mail?.text).toContain('member:audit-member');
});

it('leaves a hold alone once it is settled in time', async () => {
  const p = await createProgram(db.dataSource);
  const { wallet } = await p.partner(1_000);
  const { account } = await p.member('settled-in-time');
  await p.ledger.transfer({
    source: 'test',
    key: 'settled-earn',
    legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount: 100, kind: 'earn' }],
  });
  const hold = await p.ledger.hold({
    source: 'test',
    key: 'settled-hold',
    legs: [{ debitAccountId: account.id, creditAccountId: p.program.redemption.id, amount: 70, kind: 'burn' }],
  });
  const pendingTransferId = hold.transfers[0]!.id;
  const handle = await env.client.workflow.start('holdTimeoutWorkflow', {
    taskQueue,
    workflowId: `hold-timeout-${pendingTransferId}`,
    args: [{ pendingTransferId, timeout: '30 days' }],
  });
  await p.ledger.post({ source: 'test', key: 'settle', pendingTransferId });
  await handle.signal('holdSettled');
  expect(await handle.result()).toBe('settled');
  expect(await p.posted(account.id)).toBe(30);
  expect(await p.available(account.id)).toBe(30);
});
