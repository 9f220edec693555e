import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OutboxEntry, Payment, ProgramSettings } from '../entities/index.js';
import { releaseExpiredHold } from '../loyalty/holds.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { authorizePayment, capturePayment } from '../loyalty/payments/payments.js';
import { FakeRewardSupplier } from '../loyalty/fulfilment/fake-supplier.js';
import { workflowIds } from '../workflows/process-dispatch.js';
import { createProgram, days } from './support/program.js';
import { startTimeSkippingServer, startWorkerHarness, testSupplierOptions, type WorkerHarness } from './support/temporal.js';

/** An authorization a store neither captures nor voids gives the points back by itself at its limit. */
let harness: WorkerHarness;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'payments-expiry-test');
  p = await createProgram(harness.db.dataSource);
  await harness.db.dataSource.manager.insert(ProgramSettings, { id: 1 });
  // Time moves only when the test says so.
  await harness.env.connection.testService!.lockTimeSkipping({});
}, 180_000);
afterAll(() => harness?.stop());

it('expires an authorization neither captured nor voided at its limit, skipped in seconds: the points go back to their lots', async () => {
  const db = harness.db.dataSource;
  const { partner, wallet } = await p.partner(10_000);
  const { account, member } = await p.member(`abandoned-${randomUUID().slice(0, 6)}`, partner.id);
  const earned = await p.ledger.transfer({
    source: 'test',
    key: randomUUID(),
    legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount: 500, kind: 'earn', expiresAt: days(60) }],
  });
  const [lot] = await db.query(`SELECT id FROM point_lot WHERE "creditTransferId" = $1`, [earned.transfers[0]!.id]);
  // Fifteen minutes on the server's clock.
  const expiresAt = new Date((await harness.env.currentTimeMs()) + 15 * 60_000);
  const { payment } = await inTransaction(db, (manager) =>
    authorizePayment(manager, p.ledger, {
      partnerId: partner.id,
      memberId: member.id,
      tender: 'points',
      basket: { amountMinor: 1_000, currency: 'EUR' },
      points: 300,
      orderReference: 'basket-left-behind',
      expiresAt,
      key: randomUUID(),
    }),
  );
  expect(await p.available(account.id)).toBe(200);
  // The timeout starts from the outbox, as after the API's commit.
  const queued = await db.manager.findOneByOrFail(OutboxEntry, { process: 'hold_timeout', subjectId: payment.holdTransferId });
  await harness.processes.dispatch([queued.id]);
  const handle = harness.env.client.workflow.getHandle(workflowIds.holdTimeout(payment.holdTransferId));
  while ((await handle.describe()).historyLength < 5) await new Promise((resolve) => setTimeout(resolve, 50));

  await harness.env.sleep('14 minutes');
  expect((await db.manager.findOneByOrFail(Payment, { id: payment.id })).status).toBe('authorized');
  expect(await p.available(account.id)).toBe(200);
  await harness.env.sleep('1 minute');
  expect(await handle.result()).toBe('released');

  expect((await db.manager.findOneByOrFail(Payment, { id: payment.id })).status).toBe('expired');
  expect(await p.available(account.id)).toBe(500);
  const [after] = await db.query(`SELECT remaining FROM point_lot WHERE id = $1`, [lot.id]);
  expect(Number(after.remaining)).toBe(500);
  // Once expired, the store cannot capture it; the daily sweep finding it again changes nothing.
  await expect(
    inTransaction(db, (manager) => capturePayment(manager, p.ledger, { partnerId: partner.id, paymentId: payment.id })),
  ).rejects.toMatchObject({ code: 'payment_not_authorized', field: 'paymentId' });
  expect(await releaseExpiredHold(db, p.ledger, new FakeRewardSupplier(testSupplierOptions), payment.holdTransferId, new Date())).toBe(
    'already_settled',
  );
  expect((await checkLedger(db.manager)).violations).toEqual([]);
});

it('refuses to capture an authorization past its limit even before its timer gave the points back', async () => {
  const db = harness.db.dataSource;
  const { partner, wallet } = await p.partner(10_000);
  const { account, member } = await p.member(`late-${randomUUID().slice(0, 6)}`, partner.id);
  await p.ledger.transfer({
    source: 'test',
    key: randomUUID(),
    legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount: 100, kind: 'earn' }],
  });
  const { payment } = await inTransaction(db, (manager) =>
    authorizePayment(manager, p.ledger, {
      partnerId: partner.id,
      memberId: member.id,
      tender: 'points',
      basket: { amountMinor: 1_000, currency: 'EUR' },
      points: 50,
      orderReference: 'late',
      expiresAt: new Date(Date.now() + 60_000),
      key: randomUUID(),
    }),
  );
  await expect(
    inTransaction(db, (manager) =>
      capturePayment(manager, p.ledger, { partnerId: partner.id, paymentId: payment.id }, new Date(Date.now() + 61_000)),
    ),
  ).rejects.toMatchObject({ code: 'payment_not_authorized', reason: expect.stringContaining('expired') });
  expect(await p.available(account.id)).toBe(50);
});
