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
    taskQueue: 'ledger-audit-test',
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
    taskQueue: 'ledger-audit-test',
    workflowId: 'ledger-audit-healthy',
  });
  expect(healthy).toMatchObject({ ok: true, violations: 0 });
  expect(await readInbox(sink.directory)).toEqual([]);

  await db.dataSource.query(`UPDATE ledger_balance SET "creditsPosted" = "creditsPosted" + 5 WHERE "accountId" = $1`, [member.id]);
  const broken = await env.client.workflow.execute('ledgerAuditWorkflow', {
    taskQueue: 'ledger-audit-test',
    workflowId: 'ledger-audit-broken',
  });
  expect(broken.ok).toBe(false);
  const [mail] = await readInbox(sink.directory);
  expect(mail?.to).toEqual(['operator@tessera.test']);
  expect(mail?.subject).toMatch(/ledger check failed: \d+ violation/);
  expect(mail?.text).toContain('member:audit-member');
});
