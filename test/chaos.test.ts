import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { openDataSource } from '../wiring/database.js';
import { startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { freePort } from '../wiring/free-port.js';
import { outboxSweepWorkflow } from '../workflows/outbox-sweep.workflow.js';
import { KillablePostgres, SupervisedProcess, waitFor } from './support/chaos.js';
import {
  ChaosLoad,
  chaosEnvironment,
  seedChaosProgram,
  stuckWorkflows,
  unsettledHoldsWithoutProcess,
  verify,
  type ChaosProgram,
  type Operation,
} from './support/chaos-load.js';
import { startDevServer } from './support/temporal.js';

/*
 * A mixed load (events, refunds, redemptions, transfers, care adjustments) through the API and the
 * back office, while the web process, the worker and PostgreSQL itself are killed (SIGKILL) at
 * random moments and started again. Afterwards every acknowledged request is there exactly once,
 * nothing unacknowledged is half-written, the ledger holds, every hold is settled or waiting with
 * its process, and no workflow is stuck. `npm run chaos` runs a longer one (CHAOS_KILLS).
 */
const kills = Number(process.env.CHAOS_KILLS ?? 20);
const targets = (process.env.CHAOS_TARGETS ?? 'web,worker,postgres').split(',') as ('web' | 'worker' | 'postgres')[];
const taskQueue = 'chaos';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

let temporal: TestWorkflowEnvironment;
let sink: RunningMailSink;
let smsSink: RunningSmsSink;
let postgres: KillablePostgres;
let web: SupervisedProcess;
let worker: SupervisedProcess;
let base: string;
let program: ChaosProgram;

beforeAll(async () => {
  [temporal, sink, smsSink, postgres] = await Promise.all([
    startDevServer(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
    KillablePostgres.create(),
  ]);
  program = await seedChaosProgram(postgres.url);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    ...chaosEnvironment({ temporalAddress: temporal.address, taskQueue, smtpUrl: sink.smtpUrl, smsUrl: smsSink.smsUrl }),
    DATABASE_URL: postgres.url,
    PORT: String(port),
  };
  web = new SupervisedProcess('web', env);
  worker = new SupervisedProcess('worker', env);
  web.start();
  worker.start();
  await healthy();
}, 180_000);

afterAll(async () => {
  await Promise.all([web?.stop(), worker?.stop()]);
  await Promise.all([temporal?.teardown(), sink?.stop(), smsSink?.stop(), postgres?.stop()]);
});

const healthy = () => waitFor('web /health', async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 120_000);

it(`keeps every acknowledged request exactly once through ${kills} kills of web, worker and PostgreSQL`, { timeout: 900_000 }, async () => {
  const operations: Operation[] = [];
  const load = new ChaosLoad(program, [base]);
  let over = false;
  let graceEnds = Infinity;
  const clients = Array.from({ length: 4 }, () =>
    load.client(
      operations,
      () => over,
      () => Date.now() > graceEnds,
    ),
  );
  const killed: Record<string, number> = { web: 0, worker: 0, postgres: 0 };
  for (let k = 0; k < kills; k++) {
    await pause(2_500 + Math.random() * 3_500);
    const target = pick(targets);
    killed[target]! += 1;
    if (target === 'postgres') {
      await postgres.kill();
      await pause(300 + Math.random() * 1_500);
      await postgres.start();
    } else {
      await (target === 'web' ? web : worker).kill();
    }
  }
  over = true;
  await healthy();
  graceEnds = Date.now() + 60_000;
  await Promise.all(clients);

  const db = await openDataSource(postgres.url);
  try {
    // Whatever a commit queued is started (the schedule would in a minute), and the fulfilments finish.
    await temporal.client.workflow.execute(outboxSweepWorkflow, { taskQueue, workflowId: `chaos-sweep-${randomUUID()}` });
    await waitFor(
      'the redemptions to ship',
      async () =>
        Number((await db.query(`SELECT COUNT(*) AS n FROM redemption WHERE status IN ('awaiting_fulfilment', 'ordered')`))[0].n) === 0
          ? true
          : undefined,
      120_000,
    );
    const report = await verify(db, operations);
    console.log(
      `Chaos: ${operations.length} requests (${operations.reduce((n, o) => n + o.attempts, 0)} attempts), ` +
        `${kills} kills (web ${killed.web}, worker ${killed.worker}, PostgreSQL ${killed.postgres}; ` +
        `restarts seen: web ${web.restarts}, worker ${worker.restarts}), ` +
        `${report.acknowledged} acknowledged, ${report.refused} refused, ${report.unknown} unanswered, ` +
        `${report.found} found, lost = ${report.lost.length}, doubled = ${report.doubled.length}`,
    );
    expect(report.lost, 'acknowledged but missing').toEqual([]);
    expect(report.doubled, 'present more than once').toEqual([]);
    expect(report.halfWritten, 'half-written').toEqual([]);
    expect((await checkLedger(db.manager)).violations).toEqual([]);
    expect(await unsettledHoldsWithoutProcess(db, temporal.client)).toEqual([]);
    // A process that finished its business step still sends its email: give it the time to, then nothing may run on.
    if (process.env.CHAOS_VERBOSE) console.log(`web:\n${web.tail()}\nworker:\n${worker.tail()}`);
    const stuck = await waitFor(
      'every process to finish or wait',
      async () => ((await stuckWorkflows(db, temporal.client, taskQueue)).length === 0 ? [] : undefined),
      150_000,
    ).catch(() => stuckWorkflows(db, temporal.client, taskQueue));
    expect(stuck).toEqual([]);
  } catch (error) {
    console.log(`web:\n${web.tail()}\nworker:\n${worker.tail()}`);
    throw error;
  } finally {
    await db.destroy();
  }
});
