import { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProgram } from './support/program.js';
import { startTimeSkippingServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
let p: Awaited<ReturnType<typeof createProgram>>;
// Time moves only when a test says so: the Java server skips freely unless locked, and env.client
// unlocks it while it waits for a result, racing a new worker's first task to the run timeout.
let client: Client;

beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'time-skipping-test');
  p = await createProgram(harness.db.dataSource);
  client = new Client({ connection: harness.env.connection, namespace: harness.env.namespace });
  await harness.env.connection.testService!.lockTimeSkipping({});
});
afterAll(() => harness?.stop());

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
    taskQueue: harness.taskQueue,
    workflowId: `hold-timeout-${pendingTransferId}`,
    args: [{ pendingTransferId, timeout: '30 days' }],
  });
  // Skip time only once the worker has started the timer: a skip past a workflow task's own
  // timeout would expire the task and make the server hand it out again.
  while ((await handle.describe()).historyLength < 5) await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  await harness.env.sleep('29 days');
  expect(await p.available(account.id)).toBe(30);
  await harness.env.sleep('1 day');
  expect(await handle.result()).toBe('voided');
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(await p.available(account.id)).toBe(100);
});
