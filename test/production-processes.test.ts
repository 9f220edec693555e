import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { developmentSessionSecret } from '../wiring/config.js';
import { freePort } from '../wiring/free-port.js';
import { readInbox, startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startDevServer } from './support/temporal.js';
import { ledgerAuditWorkflow } from '../workflows/ledger-audit.workflow.js';

let db: TestDatabase;
let temporal: TestWorkflowEnvironment;
let sink: RunningMailSink;
let smsSink: RunningSmsSink;
const processes: ChildProcess[] = [];

beforeAll(async () => {
  [db, temporal, sink, smsSink] = await Promise.all([
    createTestDatabase(),
    startDevServer(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
  ]);
});

afterAll(async () => {
  await Promise.all(
    processes.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  await Promise.all([temporal?.teardown(), sink?.stop(), smsSink?.stop(), db?.drop()]);
});

function run(script: 'web' | 'worker', env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn('node', ['--import', 'tsx', `wiring/${script}.ts`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function waitFor<T>(what: string | (() => string), probe: () => Promise<T | undefined>, timeoutMs = 150_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A refusal to start is one plain line for the person deploying, not a stack trace. */
const noStackTrace = (output: string) => expect(output).not.toMatch(/^\s+at /m);

it('refuses to start a production process without the services it needs, naming them', async () => {
  // The web process needs the supplier too: it takes an HTTP supplier's reports, and only then.
  const nothing = { DATABASE_URL: '', TEMPORAL_ADDRESS: '', SMTP_URL: '', SMS_URL: '', SESSION_SECRET: '', REWARD_SUPPLIER: '' };
  const [web, worker] = [run('web', nothing), run('worker', nothing)];
  const codes = await Promise.all([web, worker].map(({ child }) => new Promise((resolve) => child.once('exit', resolve))));
  expect(codes).toEqual([1, 1]);
  expect(web.output()).toContain(
    'Missing configuration: set DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL, SMS_URL, SESSION_SECRET, REWARD_SUPPLIER (manual or http)',
  );
  expect(worker.output()).toContain(
    'Missing configuration: set DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL, SMS_URL, REWARD_SUPPLIER (manual or http)',
  );
  noStackTrace(web.output());
  noStackTrace(worker.output());
  // Two cold `node --import tsx` starts beside a full test run: slow to load, however quick to refuse.
}, 180_000);

it('refuses to start the web process on a development session secret', async () => {
  const { child, output } = run('web', {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: sink.smtpUrl,
    SMS_URL: smsSink.smsUrl,
    SESSION_SECRET: developmentSessionSecret,
    REWARD_SUPPLIER: 'manual',
  });
  expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
  expect(output()).toContain('SESSION_SECRET is a development placeholder');
  noStackTrace(output());
});

it('refuses to start the worker without a real supplier: it never falls back to the fake', async () => {
  const { child, output } = run('worker', {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: sink.smtpUrl,
    SMS_URL: smsSink.smsUrl,
    REWARD_SUPPLIER: '',
    TEMPORAL_TASK_QUEUE: 'production-no-supplier',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stillRunning = new Promise((resolve) => setTimeout(() => resolve('still running after 30 s'), 30_000));
  expect(await Promise.race([exited, stillRunning])).toBe(1);
  expect(output()).toContain('Missing configuration: set REWARD_SUPPLIER (manual or http)');
  noStackTrace(output());
});

it('runs web and worker as separate processes on the configured services', async () => {
  const port = await freePort();
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: sink.smtpUrl,
    SMS_URL: smsSink.smsUrl,
    OPERATOR_EMAIL: 'ops@tessera.test',
    TEMPORAL_TASK_QUEUE: 'production-test',
    PORT: String(port),
    SESSION_SECRET: 'a-test-session-secret-of-more-than-32-characters',
    ADMIN_JS_TMP_DIR: mkdtempSync(join(tmpdir(), 'tessera-adminjs-')),
    REWARD_SUPPLIER: 'http',
    SUPPLIER_URL: 'http://127.0.0.1:9/supplier',
    SUPPLIER_SECRET: 'a-test-supplier-secret-of-more-than-32-characters',
  };
  const web = run('web', env);
  run('worker', env);
  const health = await waitFor(
    () => `web /health; the web process wrote:\n${web.output().slice(-2000)}`,
    async () => {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      return response.ok ? response.json() : undefined;
    },
  );
  expect(health).toMatchObject({ status: 'ok', components: { smtp: { ok: true }, sms: { ok: true } } });
  // The web process takes the HTTP supplier's shipment reports, and only signed ones.
  const unsigned = await fetch(`http://127.0.0.1:${port}/api/supplier/v1/shipments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reference: 'x', status: 'shipped' }),
  });
  expect(unsigned.status).toBe(401);

  // The web process migrated the schema; break the ledger and let the worker's audit report it.
  await db.dataSource.query(`INSERT INTO ledger_balance ("accountId", shard, "mayGoNegative", "creditsPosted")
    SELECT id, 99, true, 7 FROM ledger_account WHERE code = 'program:care'`);
  const summary = await temporal.client.workflow.execute(ledgerAuditWorkflow, {
    taskQueue: 'production-test',
    workflowId: 'production-ledger-audit',
  });
  expect(summary).toMatchObject({ ok: false });
  const mail = await waitFor('the operator alert', async () => (await readInbox(sink.directory))[0]);
  expect(mail.to).toEqual(['ops@tessera.test']);
  expect(mail.text).toContain('program:care');
  // Two cold production processes (migrations, the back office, a Temporal worker) on two busy cores.
}, 240_000);
