import { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Booster, EarningRule } from '../entities/index.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
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

it("switches a booster on at its start with an announcement, off at its end with the operator's summary", async () => {
  const db = harness.db.dataSource;
  const { partner } = await p.partner(10_000);
  await db.manager.insert(EarningRule, { name: 'coffee points', formula: { kind: 'per_category', category: 'coffee', pointsPerUnit: 1, rounding: 'down' } });
  // The server's clock, already moved on by earlier tests.
  const now = await harness.env.currentTimeMs();
  const startsAt = new Date(now + 86_400_000);
  const endsAt = new Date(now + 8 * 86_400_000);
  const [booster] = await db.manager.save(Booster, [
    { name: 'Coffee week', coefficient: 2, target: { category: 'coffee' }, validFrom: startsAt, validTo: endsAt, active: false },
  ]);
  await p.member('booster-fan');
  const handle = await client.workflow.start('boosterWindowWorkflow', {
    taskQueue: harness.taskQueue,
    workflowId: `booster-window-${booster!.id}`,
    args: [{ boosterId: booster!.id, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() }],
  });
  while ((await handle.describe()).historyLength < 8) await new Promise((resolve) => setTimeout(resolve, 50));
  expect((await db.manager.findOneByOrFail(Booster, { id: booster!.id })).active).toBe(false);

  await harness.env.sleep('1 day');
  await expect.poll(async () => (await db.manager.findOneByOrFail(Booster, { id: booster!.id })).active, { timeout: 20_000 }).toBe(true);
  await expect
    .poll(async () => (await readInbox(harness.sink.directory)).some((m) => m.to.includes('booster-fan@example.test') && m.subject.startsWith('Coffee week: ×2 points')), { timeout: 20_000 })
    .toBe(true);
  forgetProgramConfiguration(db);
  const earned = await db.transaction((manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: partner.id,
      member: { externalId: 'booster-fan' },
      type: 'purchase',
      amountCents: 1_000,
      lines: [{ reference: 'BEANS', category: 'coffee', quantity: 1, unitPriceCents: 1_000 }],
      occurredAt: new Date(startsAt.getTime() + 3_600_000),
    }),
  );
  expect(earned.points).toBe(20);

  await harness.env.sleep('7 days');
  expect(await handle.result()).toMatchObject({ points: 10, members: 1 });
  expect((await db.manager.findOneByOrFail(Booster, { id: booster!.id })).active).toBe(false);
  const [summary] = (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(harness.operatorEmail));
  expect(summary?.subject).toBe('Booster "Coffee week" ended: 10 points to 1 members');
});
