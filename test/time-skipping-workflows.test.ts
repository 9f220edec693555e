import { Client } from '@temporalio/client';
import { holdTimeoutWorkflow } from '../workflows/hold-timeout.workflow.js';
import { rewardFulfilmentWorkflow } from '../workflows/reward-fulfilment.workflow.js';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Bonus, Booster, Campaign, CareAdjustment, EarningRule, Redemption, Reward, StaffUser } from '../entities/index.js';
import { createCampaign, scheduleCampaign } from '../loyalty/campaigns/campaigns.js';
import { campaignLifecycleWorkflow } from '../workflows/campaign-lifecycle.workflow.js';
import { requestAdjustment } from '../loyalty/care-adjustments.js';
import { careApprovalWorkflow, careDecisionSignal } from '../workflows/care-approval.workflow.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { productionTiming, workflowIds, type ProcessTiming } from '../workflows/process-dispatch.js';
import { createBoosterActivities } from '../workflows/activities/booster-activities.js';
import { createMailer } from '../reports/mailer.js';
import { createMemberMessenger } from '../reports/member-messenger.js';
import { createSmppSender } from '../reports/sms-sender.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { createProgram, memberIdOf } from './support/program.js';
import { startTimeSkippingServer, startWorkerHarness, testSupplierOptions, type WorkerHarness } from './support/temporal.js';
import { FakeRewardSupplier } from '../loyalty/fulfilment/fake-supplier.js';
import type { PlacedOrder } from '../loyalty/fulfilment/reward-supplier.js';

/** The tests' fake supplier, noting the orders it is asked to cancel. */
class WatchedSupplier extends FakeRewardSupplier {
  readonly cancelled: string[] = [];

  override async cancelOrder(order: PlacedOrder) {
    this.cancelled.push(order.reference);
    return super.cancelOrder(order);
  }
}

const supplier = new WatchedSupplier(testSupplierOptions);
let harness: WorkerHarness;
let p: Awaited<ReturnType<typeof createProgram>>;
// Time moves only when a test says so: the Java server skips freely unless locked, and env.client
// unlocks it while it waits for a result, racing a new worker's first task to the run timeout.
let client: Client;

beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'time-skipping-test', { supplier });
  p = await createProgram(harness.db.dataSource);
  client = new Client({ connection: harness.env.connection, namespace: harness.env.namespace });
  await harness.env.connection.testService!.lockTimeSkipping({});
});
afterAll(() => harness?.stop());

async function memberWithHold(name: string, until: Date) {
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
    until,
    legs: [{ debitAccountId: account.id, creditAccountId: p.program.redemption.id, amount: 70, kind: 'burn' }],
  });
  return { account, pendingTransferId: hold.transfers[0]!.id };
}

it('gives held points back after 30 days of waiting, skipped in seconds', async () => {
  // Held for 30 days on the server's clock.
  const expiresAt = new Date((await harness.env.currentTimeMs()) + 30 * 86_400_000);
  const { account, pendingTransferId } = await memberWithHold('held-too-long', expiresAt);
  expect(await p.available(account.id)).toBe(30);
  const handle = await client.workflow.start(holdTimeoutWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: `hold-timeout-${pendingTransferId}`,
    args: [{ pendingTransferId, expiresAt: expiresAt.toISOString() }],
  });
  // Skip time only once the worker has started the timer: a skip past a workflow task's own
  // timeout would expire the task and make the server hand it out again.
  while ((await handle.describe()).historyLength < 5) await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  await harness.env.sleep('29 days');
  expect(await p.available(account.id)).toBe(30);
  await harness.env.sleep('1 day');
  expect(await handle.result()).toBe('released');
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(await p.available(account.id)).toBe(100);
});

it("switches a booster on at its start with an announcement, off at its end with the operator's summary", async () => {
  const db = harness.db.dataSource;
  const { partner } = await p.partner(10_000);
  await db.manager.insert(EarningRule, {
    name: 'coffee points',
    formula: { kind: 'per_category', category: 'coffee', pointsPerUnit: 1, rounding: 'down' },
  });
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
    .poll(
      async () =>
        (await readInbox(harness.sink.directory)).some(
          (m) => m.to.includes('booster-fan@example.test') && m.subject.startsWith('Coffee week: ×2 points'),
        ),
      { timeout: 20_000 },
    )
    .toBe(true);
  forgetProgramConfiguration(db);
  const earned = await db.transaction((manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: partner.id,
      member: { externalId: 'booster-fan' },
      type: 'purchase',
      amountCents: 1_000,
      lines: [{ reference: 'BEANS', category: 'coffee', quantity: 1, unitPriceCents: 1_000 }],
      // In the booster's window, on the server's skipped clock: received then too.
      occurredAt: new Date(startsAt.getTime() + 3_600_000),
      receivedAt: new Date(startsAt.getTime() + 3_600_000),
    }),
  );
  expect(earned.points).toBe(20);

  await harness.env.sleep('7 days');
  expect(await handle.result()).toMatchObject({ points: 10, members: 1 });
  expect((await db.manager.findOneByOrFail(Booster, { id: booster!.id })).active).toBe(false);
  const [summary] = (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(harness.operatorEmail));
  expect(summary?.subject).toBe('Booster "Coffee week" ended: 10 points to 1 members');
});

it('gives the reactivation bonus once per inactivity period over two months of daily runs, and never fails', async () => {
  const db = harness.db.dataSource;
  const { partner } = await p.partner(1_000);
  await db.manager.insert(Bonus, { name: 'We miss you', moment: 'reactivation', points: 40, inactivityDays: 20 });
  const { member, account } = await p.member('quiet-quinn', partner.id);
  // Enrolled "now" on the server's clock, which earlier tests moved on.
  await db.query(`UPDATE member SET "enrolledAt" = $2 WHERE id = $1`, [member.id, new Date(await harness.env.currentTimeMs())]);
  const bonuses = async () =>
    Number(
      (await db.query(`SELECT COUNT(*) AS n FROM ledger_transfer WHERE "creditAccountId" = $1 AND kind = 'bonus'`, [account.id]))[0].n,
    );
  const awardedOn: number[] = [];
  for (let day = 1; day <= 60; day++) {
    await harness.env.sleep('1 day');
    if (day === 30) {
      // The member comes back once: a new inactivity period starts.
      const at = new Date(await harness.env.currentTimeMs());
      await db.transaction((manager) =>
        recordEvent(manager, p.ledger, {
          partnerId: partner.id,
          member: { externalId: 'quiet-quinn' },
          type: 'review',
          occurredAt: at,
          receivedAt: at,
        }),
      );
    }
    const before = await bonuses();
    await client.workflow.execute('reactivationWorkflow', { taskQueue: harness.taskQueue, workflowId: `reactivation-day-${day}` });
    if ((await bonuses()) > before) awardedOn.push(day);
  }
  expect(awardedOn).toEqual([20, 50]);
  expect(await p.available(account.id)).toBe(80);
  await db.manager.update(Bonus, { moment: 'reactivation' }, { active: false });
});

/** A member with 500 points who redeems `rewardCode` (held), and that redemption's fulfilment started. */
async function fulfilmentOf(rewardCode: string, name: string, timing: ProcessTiming['fulfilment']) {
  const db = harness.db.dataSource;
  const { wallet } = await p.partner(1_000);
  const { account } = await p.member(name);
  await p.ledger.transfer({
    source: 'test',
    key: `${name}-earn`,
    legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount: 500, kind: 'earn' }],
  });
  const redemption = await db.transaction(async (manager) =>
    redeemReward(manager, p.ledger, {
      memberId: await memberIdOf(manager, name),
      rewardCode,
      quantity: 1,
      partnerId: null,
      key: `${name}-redeem`,
    }),
  );
  const handle = await client.workflow.start(rewardFulfilmentWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: workflowIds.rewardFulfilment(rewardCode, redemption.id),
    args: [{ redemptionId: redemption.id, ...timing }],
  });
  const status = async () => (await db.manager.findOneByOrFail(Redemption, { id: redemption.id })).status;
  const subjects = async () =>
    (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(`${name}@example.test`)).map((m) => m.subject);
  return { account, redemption, handle, status, subjects };
}

it('gives up after 14 days on a reward that never ships, asking at production pace: order cancelled, points back, a small history', async () => {
  await harness.db.dataSource.manager.insert(Reward, {
    code: 'backordered-lamp',
    name: 'Desk lamp',
    pointsPrice: 200,
    needsFulfilment: true,
    stock: 3,
  });
  // What `npm run worker` uses with the shipped default of FULFILMENT_POLL_SECONDS (10).
  const { account, redemption, handle, status, subjects } = await fulfilmentOf(
    'backordered-lamp',
    'lamp-lover',
    productionTiming(10).fulfilment,
  );
  await expect.poll(status, { timeout: 20_000 }).toBe('ordered');
  // The give-up deadline's timer is set: from here on, time may jump.
  const timers = async () => (await handle.fetchHistory()).events?.filter((e) => e.timerStartedEventAttributes).length ?? 0;
  await expect.poll(timers, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  expect(await p.available(account.id)).toBe(300);

  const started = Date.now();
  await harness.env.sleep('13 days');
  expect(await status()).toBe('ordered');
  expect(await p.available(account.id)).toBe(300);
  // Asked after 10 s, then twice as long after each look up to once an hour: about 320 looks in 13 days.
  const looks = (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'awaitShipment')?.attempt ?? 0;
  expect(looks).toBeGreaterThan(300);
  expect(looks).toBeLessThan(340);
  await harness.env.sleep('1 day');
  expect(await handle.result()).toBe('cancelled');
  const seconds = (Date.now() - started) / 1000;
  // The supplier was told to stop the order before the points went back.
  expect(supplier.cancelled).toEqual([redemption.id]);
  const [order] = await harness.db.dataSource.query(`SELECT state FROM fulfilment_order WHERE "redemptionId" = $1`, [redemption.id]);
  expect(order.state).toBe('cancelled');
  expect(await p.available(account.id)).toBe(500);
  expect(await subjects()).toEqual(['We could not deliver Desk lamp: your 200 points are back']);
  const [reward] = await harness.db.dataSource.query(`SELECT stock FROM reward WHERE code = 'backordered-lamp'`);
  expect(reward.stock).toBe(3);
  // Two weeks of asking the supplier leave a history of a few dozen events, far from Temporal's 51,200.
  const events = (await handle.fetchHistory()).events?.length ?? 0;
  console.log(`14 days of fulfilment at production pace: ${events} history events, ${seconds.toFixed(1)} s`);
  expect(events).toBeLessThan(80);
  expect(seconds).toBeLessThan(120);
}, 240_000);

it('retries an unreachable supplier for six hours with backoff, then gives the points back and tells the member', async () => {
  await harness.db.dataSource.manager.insert(Reward, {
    code: 'ghost-item',
    name: 'Ghost item',
    pointsPrice: 120,
    needsFulfilment: true,
    stock: null,
  });
  const { account, redemption, handle, status, subjects } = await fulfilmentOf(
    'ghost-item',
    'ghost-hunter',
    productionTiming(10).fulfilment,
  );
  // Wait for the first failed attempt, whose retry timer the server then holds.
  const attempts = async () => (await handle.describe()).raw.pendingActivities?.[0]?.attempt ?? 0;
  await expect.poll(attempts, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  expect(await status()).toBe('awaiting_fulfilment');
  expect(await p.available(account.id)).toBe(380);

  await harness.env.sleep('5 hours');
  expect(await status()).toBe('awaiting_fulfilment');
  await harness.env.sleep('1 hour');
  expect(await handle.result()).toBe('cancelled');
  expect(await p.available(account.id)).toBe(500);
  expect((await harness.db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id })).outcome).toBe(
    'the supplier could not take the order',
  );
  expect(await subjects()).toEqual(['We could not deliver Ghost item: your 120 points are back']);
  expect((await checkLedger(harness.db.dataSource.manager)).violations).toEqual([]);
});

it('calls a booster window off when the operator deletes the booster: no summary is sent', async () => {
  const db = harness.db.dataSource;
  const now = await harness.env.currentTimeMs();
  const [booster] = await db.manager.save(Booster, [
    {
      name: 'Short-lived',
      coefficient: 3,
      target: { category: 'tea' },
      validFrom: new Date(now + 86_400_000),
      validTo: new Date(now + 3 * 86_400_000),
      active: false,
    },
  ]);
  const handle = await client.workflow.start('boosterWindowWorkflow', {
    taskQueue: harness.taskQueue,
    workflowId: `booster-window-${booster!.id}`,
    args: [{ boosterId: booster!.id, startsAt: booster!.validFrom!.toISOString(), endsAt: booster!.validTo!.toISOString() }],
  });
  const timers = async () => (await handle.fetchHistory()).events?.filter((e) => e.timerStartedEventAttributes).length ?? 0;
  await expect.poll(timers, { timeout: 20_000 }).toBe(1);
  await harness.env.sleep('1 day');
  await expect.poll(timers, { timeout: 20_000 }).toBe(2);
  expect((await db.manager.findOneByOrFail(Booster, { id: booster!.id })).active).toBe(true);
  await db.manager.delete(Booster, { id: booster!.id });

  await harness.env.sleep('2 days');
  expect(await handle.result()).toMatchObject({ outcome: 'called off', points: 0 });
  const operatorMail = (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(harness.operatorEmail)).map((m) => m.subject);
  expect(operatorMail.some((subject) => subject.includes('Short-lived'))).toBe(false);
});

it('announces a booster to each member once, even when the announcement is retried', async () => {
  const db = harness.db.dataSource;
  const [booster] = await db.manager.save(Booster, [{ name: 'Retry week', coefficient: 2, target: { category: 'cake' }, active: false }]);
  await p.member('retry-fan');
  const mailer = createMailer(harness.sink.smtpUrl, 'Tessera <no-reply@tessera.test>');
  const sms = createSmppSender(harness.smsSink.smsUrl, 'Tessera');
  const messenger = createMemberMessenger({ dataSource: db, mailer, sms, publicUrl: 'http://localhost:3000' });
  const { announceBooster } = createBoosterActivities({ dataSource: db, mailer, messenger, operatorEmail: harness.operatorEmail });
  const activity = new MockActivityEnvironment();
  const first = await activity.run(announceBooster, booster!.id);
  // The retry after a worker lost at the end of the first attempt tells no one again.
  expect(await activity.run(announceBooster, booster!.id)).toBe(0);
  mailer.close();
  sms.close();
  expect(first).toBeGreaterThanOrEqual(1);
  const toFan = (await readInbox(harness.sink.directory)).filter(
    (m) => m.to.includes('retry-fan@example.test') && m.subject.startsWith('Retry week'),
  );
  expect(toFan).toHaveLength(1);
});

it('reminds supervisors a day after a large adjustment and expires it two days later, whatever refused approvals came between', async () => {
  const db = harness.db.dataSource;
  await db.manager.insert(StaffUser, {
    email: 'supervisor-on-duty@tessera.test',
    name: 'Supervisor',
    role: 'care_supervisor',
    passwordHash: 'not-used-here',
  });
  await p.member('care-waiting');
  const adjustment = await requestAdjustment(db, p.ledger, {
    memberExternalId: 'care-waiting',
    points: 5_000,
    reason: 'lost parcel goodwill',
    requestedBy: 'agent@tessera.test',
  });
  expect(adjustment.status).toBe('awaiting_approval');
  const handle = await client.workflow.start(careApprovalWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: workflowIds.careApproval(adjustment.id),
    args: [{ adjustmentId: adjustment.id, remindAfter: '1 day', expireAfter: '2 days' }],
  });
  while ((await handle.describe()).historyLength < 5) await new Promise((resolve) => setTimeout(resolve, 50));
  const reminders = async () =>
    (await readInbox(harness.sink.directory)).filter((m) => m.to.includes('supervisor-on-duty@tessera.test')).length;

  await harness.env.sleep('20 hours');
  // The requester tries to approve their own adjustment: refused, and it changes no deadline.
  await handle.signal(careDecisionSignal, { approved: true, by: 'agent@tessera.test' });
  await harness.env.sleep('5 hours');
  await expect.poll(reminders, { timeout: 20_000 }).toBe(1);
  await harness.env.sleep('2 days');
  expect(await handle.result()).toBe('expired');
  expect((await db.manager.findOneByOrFail(CareAdjustment, { id: adjustment.id })).status).toBe('expired');
});

it('runs a campaign scheduled for next week from its start to its end, and the window bounds what it gives', async () => {
  const db = harness.db.dataSource;
  const { partner } = await p.partner(10_000);
  const now = await harness.env.currentTimeMs();
  const startsAt = new Date(now + 7 * 86_400_000);
  const endsAt = new Date(now + 14 * 86_400_000);
  const draft = await db.transaction((m) =>
    createCampaign(
      m,
      {
        name: 'Kitchen week',
        ownerPartnerId: null,
        audience: { kind: 'everyone' },
        trigger: { kind: 'category', category: 'kitchen' },
        places: {},
        reward: { kind: 'points_per_unit', pointsPerUnit: 3, rounding: 'down' },
        caps: {},
        stacking: 'stack',
        priority: 0,
        startsAt,
        endsAt,
        timeZone: 'Europe/Amsterdam',
        budgetPoints: 10_000,
        holdoutPercent: 0,
      },
      'manager@tessera.test',
      new Date(now),
    ),
  );
  await db.transaction((m) => scheduleCampaign(m, draft.id, new Date(now)));
  const handle = await client.workflow.start(campaignLifecycleWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: workflowIds.campaignLifecycle(draft.id),
    args: [draft.id],
  });
  const status = () => db.manager.findOneByOrFail(Campaign, { id: draft.id }).then((c) => c.status);
  while ((await handle.describe()).historyLength < 8) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await status()).toBe('scheduled');
  await harness.env.sleep('7 days');
  await expect.poll(status, { timeout: 20_000 }).toBe('running');
  forgetProgramConfiguration(db);
  const earn = (at: Date) =>
    db.transaction((manager) =>
      recordEvent(manager, p.ledger, {
        partnerId: partner.id,
        member: { externalId: 'kitchen-fan' },
        type: 'purchase',
        amountCents: 1_000,
        lines: [{ reference: 'PAN', category: 'kitchen', quantity: 1, unitPriceCents: 1_000 }],
        occurredAt: at,
        receivedAt: at,
      }),
    );
  expect((await earn(new Date(startsAt.getTime() + 3_600_000))).points).toBe(30);
  await harness.env.sleep('7 days');
  expect(await handle.result()).toBe('ended');
  expect(await status()).toBe('ended');
  forgetProgramConfiguration(db);
  expect((await earn(new Date(endsAt.getTime() + 3_600_000))).points).toBe(0);
});
