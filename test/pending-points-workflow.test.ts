import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, ProgramSettings } from '../entities/index.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { balanceOf } from '../loyalty/ledger/accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { queuedDetails } from '../loyalty/outbox.js';
import { holdTimeoutWorkflow } from '../workflows/hold-timeout.workflow.js';
import { workflowIds } from '../workflows/process-dispatch.js';
import { createProgram } from './support/program.js';
import { startTimeSkippingServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
let p: Awaited<ReturnType<typeof createProgram>>;
let client: Client;

beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'pending-points-test');
  p = await createProgram(harness.db.dataSource);
  const m = harness.db.dataSource.manager;
  await m.save(ProgramSettings, { id: 1, pendingDays: 14 });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  forgetProgramConfiguration(harness.db.dataSource);
  client = new Client({ connection: harness.env.connection, namespace: harness.env.namespace });
  // Time moves only when a test says so (see time-skipping-workflows.test.ts).
  await harness.env.connection.testService!.lockTimeSkipping({});
});
afterAll(() => harness?.stop());

/** A €50 purchase at the server's clock, and the timers its pending points were queued with. */
async function purchase(externalId: string) {
  const { partner, wallet } = await p.partner(1_000);
  const at = new Date(await harness.env.currentTimeMs());
  const order = await inTransaction(harness.db.dataSource, (m) =>
    recordEvent(m, p.ledger, {
      partnerId: partner.id,
      member: { externalId },
      type: 'purchase',
      amountCents: 5_000,
      occurredAt: at,
      receivedAt: at,
    }),
  );
  const hold = order.event.earnTransferId!;
  const details = await queuedDetails(harness.db.dataSource.manager, 'hold_timeout', hold);
  const handle = await client.workflow.start(holdTimeoutWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: workflowIds.holdTimeout(hold),
    args: [{ pendingTransferId: hold, expiresAt: details!.expiresAt }],
  });
  // Skip time only once the worker has started the timer (see time-skipping-workflows.test.ts).
  while ((await handle.describe()).historyLength < 5) await new Promise((resolve) => setTimeout(resolve, 50));
  return { partner, wallet, order, handle, details: details! };
}

it('confirms pending points by their timer 14 days after the purchase, skipped in seconds: then, and only then, spendable', async () => {
  const { order, handle, details, wallet } = await purchase('pw-ann');
  expect(new Date(details.expiresAt)).toEqual(order.availableFrom);
  expect(await balanceOf(harness.db.dataSource.manager, order.memberAccountId)).toMatchObject({ available: 0, incoming: 50 });
  await harness.env.sleep('13 days');
  expect(await balanceOf(harness.db.dataSource.manager, order.memberAccountId)).toMatchObject({ available: 0, incoming: 50 });
  await harness.env.sleep('1 day');
  expect(await handle.result()).toBe('posted');
  expect(await balanceOf(harness.db.dataSource.manager, order.memberAccountId)).toMatchObject({ available: 50, incoming: 0 });
  expect(await p.posted(wallet.id)).toBe(950);
  expect((await checkLedger(harness.db.dataSource.manager)).violations).toEqual([]);
});

it('lets the timer of points a refund cancelled on day 3 find nothing to confirm', async () => {
  const { partner, wallet, order, handle } = await purchase('pw-bob');
  await harness.env.sleep('3 days');
  const refund = await inTransaction(harness.db.dataSource, (m) =>
    refundEvent(m, p.ledger, { partnerId: partner.id, eventId: order.event.id, key: randomUUID() }),
  );
  expect(refund).toMatchObject({ pendingPointsCancelled: 50, pointsReversed: 0, pointsOwed: 0 });
  await harness.env.sleep('11 days');
  expect(await handle.result()).toBe('already_settled');
  expect(await balanceOf(harness.db.dataSource.manager, order.memberAccountId)).toMatchObject({ posted: 0, available: 0, incoming: 0 });
  expect(await p.available(wallet.id)).toBe(1_000);
  expect((await checkLedger(harness.db.dataSource.manager)).violations).toEqual([]);
});
