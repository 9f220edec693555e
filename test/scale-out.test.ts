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
import { SupervisedProcess, waitFor } from './support/chaos.js';
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
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startPgbouncer, type RunningPgbouncer } from './support/pgbouncer.js';
import { startDevServer } from './support/temporal.js';

/*
 * The production shape beyond one machine: two web and two worker processes against one PostgreSQL
 * through PgBouncer in transaction mode (a server connection per transaction, never per client),
 * one Temporal server. The chaos load goes to both web processes while a web and a worker process
 * are killed and started again; afterwards the ledger holds and every acknowledged request is
 * there exactly once, and no request failed for a reason of the pooler's.
 */
const taskQueue = 'scale-out';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let db: TestDatabase;
let temporal: TestWorkflowEnvironment;
let sink: RunningMailSink;
let smsSink: RunningSmsSink;
let pgbouncer: RunningPgbouncer;
let program: ChaosProgram;
const bases: string[] = [];
const webs: SupervisedProcess[] = [];
const workers: SupervisedProcess[] = [];
const everyProcess = () => [...webs, ...workers];

beforeAll(async () => {
  [db, temporal, sink, smsSink] = await Promise.all([
    createTestDatabase(),
    startDevServer(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
  ]);
  program = await seedChaosProgram(db.url);
  // Fewer server connections than the four processes' pools hold together, as in production.
  pgbouncer = await startPgbouncer(db.url, { serverPoolSize: 10 });
  const env = {
    ...chaosEnvironment({ temporalAddress: temporal.address, taskQueue, smtpUrl: sink.smtpUrl, smsUrl: smsSink.smsUrl }),
    DATABASE_URL: pgbouncer.url,
    DATABASE_DIRECT_URL: db.url,
  };
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    bases.push(`http://127.0.0.1:${port}`);
    webs.push(new SupervisedProcess('web', { ...env, PORT: String(port) }));
    workers.push(new SupervisedProcess('worker', env));
  }
  for (const service of everyProcess()) service.start();
  await healthy().catch((error: unknown) => {
    tellWhatHappened();
    throw error;
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(everyProcess().map((service) => service.stop()));
  await pgbouncer?.stop();
  await Promise.all([temporal?.teardown(), sink?.stop(), smsSink?.stop(), db?.drop()]);
});

/** Kills web and worker process `pair` mid-load, and waits for the supervisor to have them serving again. */
async function killAndRestart(pair: number): Promise<void> {
  await pause(4_000);
  await Promise.all([webs[pair]!.kill(), workers[pair]!.kill()]);
  await healthy().catch((error: unknown) => {
    tellWhatHappened();
    throw error;
  });
}

const healthy = () =>
  Promise.all(bases.map((base) => waitFor(`${base}/health`, async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 120_000)));

it(
  'keeps the ledger and every acknowledged request with two web and two worker processes behind PgBouncer',
  { timeout: 240_000 },
  async () => {
    const operations: Operation[] = [];
    const load = new ChaosLoad(program, bases);
    let over = false;
    let graceEnds = Infinity;
    const clients = Array.from({ length: 4 }, () =>
      load.client(
        operations,
        () => over,
        () => Date.now() > graceEnds,
      ),
    );
    // A web and a worker process die mid-load; their twins keep serving until they are back, then the others die.
    await killAndRestart(0);
    await killAndRestart(1);
    await pause(4_000);
    over = true;
    graceEnds = Date.now() + 30_000;
    await Promise.all(clients);

    const check = await openDataSource(db.url);
    try {
      await temporal.client.workflow.execute(outboxSweepWorkflow, { taskQueue, workflowId: `scale-out-sweep-${randomUUID()}` });
      await waitFor(
        'the redemptions to ship',
        async () =>
          Number((await check.query(`SELECT COUNT(*) AS n FROM redemption WHERE status IN ('awaiting_fulfilment', 'ordered')`))[0].n) === 0
            ? true
            : undefined,
        60_000,
      );
      const report = await verify(check, operations);
      const apiUnanswered = operations.filter((o) => o.kind !== 'care' && !o.acknowledged && !o.refused);
      console.log(
        `Scale-out: ${operations.length} requests (${operations.reduce((n, o) => n + o.attempts, 0)} attempts) over 2 web processes, ` +
          `restarts seen: ${everyProcess()
            .map((p, i) => `${p.name} ${i % 2} ${p.restarts}`)
            .join(', ')}, ` +
          `${report.acknowledged} acknowledged, ${report.refused} refused, ${report.unknown} unanswered, ` +
          `answered by each web process: ${bases.map((base) => load.answeredBy.get(base) ?? 0).join(' and ')}, ` +
          `lost = ${report.lost.length}, doubled = ${report.doubled.length}, server errors = ${load.serverErrors.length}`,
      );
      expect(load.serverErrors, 'answered 5xx').toEqual([]);
      expect(
        apiUnanswered.map((o) => `${o.kind} ${o.key}`),
        'API requests never answered',
      ).toEqual([]);
      expect(everyProcess().map((p) => p.restarts)).toEqual([1, 1, 1, 1]);
      expect(
        bases.map((base) => load.answeredBy.get(base) ?? 0).every((n) => n >= 5),
        'both web processes answered',
      ).toBe(true);
      expect(report.lost, 'acknowledged but missing').toEqual([]);
      expect(report.doubled, 'present more than once').toEqual([]);
      expect(report.halfWritten, 'half-written').toEqual([]);
      expect((await checkLedger(check.manager)).violations).toEqual([]);
      expect(await unsettledHoldsWithoutProcess(check, temporal.client)).toEqual([]);
      const stuck = await waitFor(
        'every process to finish or wait',
        async () => ((await stuckWorkflows(check, temporal.client, taskQueue)).length === 0 ? [] : undefined),
        60_000,
      ).catch(() => stuckWorkflows(check, temporal.client, taskQueue));
      expect(stuck).toEqual([]);
    } catch (error) {
      tellWhatHappened();
      throw error;
    } finally {
      await check.destroy();
    }
  },
);

/** The end of what each process and the pooler printed, for a failure's report. */
function tellWhatHappened(): void {
  for (const service of everyProcess()) console.log(`${service.name}:\n${service.tail()}`);
  console.log(`pgbouncer:\n${pgbouncer.log().slice(-4_000)}`);
}
