import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadConfig } from '../../wiring/config.js';
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

/** The dev server from the provisioned `temporal` CLI (or the SDK's download where none is found). */
export function startDevServer(): Promise<TestWorkflowEnvironment> {
  const path = provisionTemporalCli({ cacheDir: config.cacheDir, explicitPath: config.temporalCli, log });
  return TestWorkflowEnvironment.createLocal({
    server: { ip: '127.0.0.1', executable: path ? { type: 'existing-path', path } : undefined },
  });
}

/** The time-skipping test server: the Java one provisioned from Maven (or the SDK's download). */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const path = provisionTemporalTestServer({ cacheDir: config.cacheDir, explicitPath: config.temporalTestServer, log });
  // The SDK gives the server 5 s to listen; a JVM on two busy cores can take longer, so it is asked again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: path ? { type: 'existing-path', path } : undefined },
      });
    } catch (error) {
      if (attempt === 3 || !String(error).includes('did not start within')) throw error;
    }
  }
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling the workflows takes seconds: do it once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows();
  return bundle;
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
