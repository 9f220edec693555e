import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { inject } from 'vitest';
import { loadConfig } from '../../wiring/config.js';
import { freePort, freePorts } from '../../wiring/free-port.js';
import { provisionTemporalCli } from '../../wiring/provision/temporal-cli.js';
import { provisionTemporalTestServer } from '../../wiring/provision/temporal-test-server.js';
import { FakeRewardSupplier, type FakeSupplierOptions } from '../../loyalty/fulfilment/fake-supplier.js';
import type { RewardSupplier } from '../../loyalty/fulfilment/reward-supplier.js';
import { createMailer } from '../../reports/mailer.js';
import { createSmppSender } from '../../reports/sms-sender.js';
import { startMailSink, type RunningMailSink } from '../../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../../wiring/embedded/sms-sink.js';
import { temporalProcesses, type ProcessDispatcher, type ProcessTiming } from '../../workflows/process-dispatch.js';
import { bundleWorkflows, createWorker } from '../../workflows/worker.js';
import { receiptReader } from '../../workflows/activities/receipt-ocr.js';
import type { ImageStore } from '../../loyalty/receipts/image-store.js';
import { imageFolder } from '../../wiring/receipt-image-folder.js';
import { createTestDatabase, type TestDatabase } from './database.js';

// Workers' state changes are noise in test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

const config = loadConfig();
const log = (line: string) => console.log(line);

/**
 * The dev server from the provisioned `temporal` CLI (or the SDK's download where none is found). Its
 * ports are drawn here: the SDK's and the CLI's own picks come from the ephemeral range, where an
 * outgoing connection can take one in the seconds the CLI takes to bind it.
 */
export async function startDevServer(): Promise<TestWorkflowEnvironment> {
  const path = provisionTemporalCli({ cacheDir: config.cacheDir, explicitPath: config.temporalCli, log });
  const [port, httpPort, metricsPort] = (await freePorts(3)) as [number, number, number];
  return TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port,
      executable: path ? { type: 'existing-path', path } : undefined,
      extraArgs: ['--http-port', String(httpPort), '--metrics-port', String(metricsPort)],
    },
  });
}

/** The time-skipping test server: the Java one provisioned from Maven (or the SDK's download). */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const path = provisionTemporalTestServer({ cacheDir: config.cacheDir, explicitPath: config.temporalTestServer, log });
  if (!path) return TestWorkflowEnvironment.createTimeSkipping();
  // The SDK gives a server it starts 5 s to listen, and a JVM on two busy cores can take far longer
  // (three attempts in a row failed under load). So the server is started here and waited for; the
  // SDK's own `create` then connects to it with time skipping, which no public factory offers.
  const port = await freePort();
  const server = spawn(path, [String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  server.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2_000)));
  try {
    await listening(port, server, () => errors);
    const create = Reflect.get(TestWorkflowEnvironment, 'create') as (options: object) => Promise<TestWorkflowEnvironment>;
    const env = await create.call(TestWorkflowEnvironment, {
      server: { type: 'existing' },
      address: `127.0.0.1:${port}`,
      namespace: 'default',
      supportsTimeSkipping: true,
    });
    const teardown = env.teardown.bind(env);
    env.teardown = async () => {
      await teardown();
      await stopProcess(server);
    };
    return env;
  } catch (error) {
    await stopProcess(server);
    throw error;
  }
}

/** Resolves once the server accepts connections; fails at once if it exits, or after two minutes. */
async function listening(port: number, server: ChildProcess, errors: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the time-skipping test server exited (${server.exitCode}): ${errors()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the time-skipping test server did not listen on port ${port} within two minutes: ${errors()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling the workflows takes seconds of CPU: once per test file, and in a run only by the first file to need it. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= sharedWorkflowBundle(inject('workflowBundleFile'));
  return bundle;
}

/** The run's bundle if a file left one; else built, and left (whole, by a rename) for the files after. */
async function sharedWorkflowBundle(file: string): Promise<WorkflowBundleWithSourceMap> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as WorkflowBundleWithSourceMap;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const built = await bundleWorkflows();
  const partial = `${file}.${process.pid}`;
  await writeFile(partial, JSON.stringify(built));
  await rename(partial, file);
  return built;
}

/** Processes that wait and retry in a test's time: fulfilment looks at an order every 200 ms to 1 s and gives up after a minute. */
export const testTiming: ProcessTiming = {
  fulfilment: { firstPollAfter: '200 milliseconds', pollAtMostEvery: '1 second', giveUpAfter: '1 minute' },
  careApproval: { remindAfter: '1 day', expireAfter: '2 days' },
  webhookRetry: { firstRetryAfter: '200 milliseconds', maximumAttempts: 4 },
  receiptImageRetention: '1 hour',
};

export interface WorkerHarness {
  db: TestDatabase;
  env: TestWorkflowEnvironment;
  sink: RunningMailSink;
  smsSink: RunningSmsSink;
  taskQueue: string;
  operatorEmail: string;
  /** Where the worker keeps receipt images. */
  receiptImages: ImageStore;
  /** Starts what the outbox holds, on the harness's task queue, with `testTiming` (or the harness's own). */
  processes: ProcessDispatcher;
  stop(): Promise<void>;
}

/**
 * The tests' fake supplier: ships in half a second; cannot deliver broken-gadget; cannot be reached
 * for ghost-item; has backordered-lamp on back order.
 */
export const testSupplierOptions: FakeSupplierOptions = {
  shipAfterMs: 500,
  failingRewards: ['broken-gadget'],
  unreachableFor: ['ghost-item'],
  backordered: ['backordered-lamp'],
};

/**
 * A Temporal server, a database of its own, real SMTP and SMPP sinks and the project's worker polling
 * `taskQueue`, fulfilling through `supplier` (the tests' fake unless given): what each workflow
 * test file runs on.
 */
export async function startWorkerHarness(
  server: () => Promise<TestWorkflowEnvironment>,
  taskQueue: string,
  {
    timing = testTiming,
    supplier = new FakeRewardSupplier(testSupplierOptions),
    receiptImages = imageFolder(mkdtempSync(join(tmpdir(), 'tessera-receipts-'))),
  }: { timing?: ProcessTiming; supplier?: RewardSupplier; receiptImages?: ImageStore } = {},
): Promise<WorkerHarness> {
  const [db, env, sink, smsSink] = await Promise.all([
    createTestDatabase(),
    server(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
  ]);
  const mailer = createMailer(sink.smtpUrl, 'Tessera <no-reply@tessera.test>');
  const smsSender = createSmppSender(smsSink.smsUrl, 'Tessera');
  const operatorEmail = 'operator@tessera.test';
  const reader = receiptReader();
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    dataSource: db.dataSource,
    mailer,
    smsSender,
    operatorEmail,
    supplier,
    workflowBundle: await workflowBundle(),
    processTiming: timing,
    receiptImages,
    receiptReader: reader,
  });
  const running = worker.run();
  return {
    db,
    env,
    sink,
    smsSink,
    taskQueue,
    operatorEmail,
    receiptImages,
    processes: temporalProcesses({ client: env.client, taskQueue, dataSource: db.dataSource, timing }),
    async stop() {
      worker.shutdown();
      await running;
      mailer.close();
      smsSender.close();
      await reader.close();
      await Promise.all([env.teardown(), sink.stop(), smsSink.stop(), db.drop()]);
    },
  };
}
