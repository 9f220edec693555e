import { afterAll, beforeAll, expect, it } from 'vitest';
import { Bonus, EarningRule } from '../entities/index.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { creditPurchasedPoints } from '../loyalty/funding.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { holdTimeoutWorkflow } from '../workflows/hold-timeout.workflow.js';
import { registerSchedules, scheduleIds } from '../workflows/schedules.js';
import { createProgram, days } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';
import { ledgerAuditWorkflow } from '../workflows/ledger-audit.workflow.js';
import { pointsExpiryWorkflow } from '../workflows/points-expiry.workflow.js';
import { fundingAlertsWorkflow } from '../workflows/funding-alerts.workflow.js';
import { reactivationWorkflow } from '../workflows/reactivation.workflow.js';
import { partnerReportsWorkflow } from '../workflows/partner-reports.workflow.js';

let harness: WorkerHarness;
beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'dev-server-test');
});
afterAll(() => harness?.stop());

it('runs the ledger audit on the Temporal dev server and mails the operator when an invariant fails', async () => {
  const p = await createProgram(harness.db.dataSource);
  const { wallet } = await p.partner(1_000);
  const { account: member } = await p.member('audit-member');
  await p.ledger.transfer({
    source: 'test',
    key: 'audit-earn',
    legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 40, kind: 'earn' }],
  });

  const healthy = await harness.env.client.workflow.execute(ledgerAuditWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: 'ledger-audit-healthy',
  });
  expect(healthy).toMatchObject({ ok: true, violations: 0 });
  expect(await readInbox(harness.sink.directory)).toEqual([]);

  await harness.db.dataSource.query(`UPDATE ledger_balance SET "creditsPosted" = "creditsPosted" + 5 WHERE "accountId" = $1`, [member.id]);
  const broken = await harness.env.client.workflow.execute(ledgerAuditWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: 'ledger-audit-broken',
  });
  expect(broken.ok).toBe(false);
  const [mail] = await readInbox(harness.sink.directory);
  expect(mail?.to).toEqual([harness.operatorEmail]);
  expect(mail?.subject).toMatch(/ledger check failed: \d+ violation/);
  expect(mail?.text).toContain('member:audit-member');
});

it('brings deployed schedules to what this version says, and deletes retired ones', async () => {
  const client = harness.env.client;
  await registerSchedules(client, harness.taskQueue);
  // An earlier deployment: the expiry ran at another time, and a schedule of a sweep that is gone.
  await client.schedule
    .getHandle(scheduleIds.pointsExpiry)
    .update((previous) => ({ ...previous, spec: { calendars: [{ hour: 5, minute: 45 }] } }));
  await client.schedule.create({
    scheduleId: 'webhook-outbox',
    spec: { intervals: [{ every: '1 minute' }] },
    action: { type: 'startWorkflow', workflowType: 'webhookOutboxWorkflow', taskQueue: harness.taskQueue },
  });
  await registerSchedules(client, harness.taskQueue);
  const expiry = await client.schedule.getHandle(scheduleIds.pointsExpiry).describe();
  expect(expiry.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
  expect(expiry.spec.timezone).toBe('UTC');
  await expect(client.schedule.getHandle('webhook-outbox').describe()).rejects.toThrow();
  for (const id of Object.values(scheduleIds)) await client.schedule.getHandle(id).delete();
});

it('leaves a hold alone once it is settled in time', async () => {
  const p = await createProgram(harness.db.dataSource);
  const { wallet } = await p.partner(1_000);
  const { account } = await p.member('settled-in-time');
  await p.ledger.transfer({
    source: 'test',
    key: 'settled-earn',
    legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount: 100, kind: 'earn' }],
  });
  const hold = await p.ledger.hold({
    source: 'test',
    key: 'settled-hold',
    until: days(60),
    legs: [{ debitAccountId: account.id, creditAccountId: p.program.redemption.id, amount: 70, kind: 'burn' }],
  });
  const pendingTransferId = hold.transfers[0]!.id;
  await p.ledger.post({ source: 'test', key: 'settle', pendingTransferId });
  // Its time limit comes (here: at once) after it was settled.
  const outcome = await harness.env.client.workflow.execute(holdTimeoutWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: `hold-timeout-${pendingTransferId}`,
    args: [{ pendingTransferId, expiresAt: new Date().toISOString() }],
  });
  expect(outcome).toBe('already_settled');
  expect(await p.posted(account.id)).toBe(30);
  expect(await p.available(account.id)).toBe(30);
});

it('runs the daily expiry: breakage through the ledger and one warning email per member, never twice', async () => {
  const p = await createProgram(harness.db.dataSource);
  const { wallet } = await p.partner(1_000);
  const { account } = await p.member('expiry-bo');
  const earn = (amount: number, expiresAt: Date, key: string) =>
    p.ledger.transfer({
      source: 'test',
      key,
      legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount, kind: 'earn', expiresAt }],
    });
  await earn(80, new Date(Date.now() - 3_600_000), 'expiry-past');
  await earn(120, new Date(Date.now() + 6 * 86_400_000), 'expiry-week');

  const run = (id: string) =>
    harness.env.client.workflow.execute(pointsExpiryWorkflow, {
      taskQueue: harness.taskQueue,
      workflowId: id,
      args: [{ alertDays: [30, 7] }],
    });
  const first = await run('points-expiry-1');
  expect(first).toMatchObject({ expiredLots: 1, expiredPoints: 80, alertsSent: 2 });
  expect(await p.available(account.id)).toBe(120);
  const mails = (await readInbox(harness.sink.directory)).filter((m) => m.to.includes('expiry-bo@example.test'));
  expect(mails).toHaveLength(2);
  expect(mails[0]!.subject).toMatch(/^120 of your points expire on \d{1,2} \w+ \d{4}$/);
  expect(mails[0]!.text).toContain('120 points of your balance expire');

  expect(await run('points-expiry-2')).toMatchObject({ expiredLots: 0, expiredPoints: 0, alertsSent: 0 });
  expect((await readInbox(harness.sink.directory)).filter((m) => m.to.includes('expiry-bo@example.test'))).toHaveLength(2);
});

it('finishes the daily expiry past a lot that cannot expire, and alerts the operator by email', async () => {
  const p = await createProgram(harness.db.dataSource);
  const { wallet } = await p.partner(1_000);
  const broken = await p.member('expiry-broken-lot');
  const fine = await p.member('expiry-fine-lot');
  for (const [account, key] of [
    [broken.account, 'broken-lot'],
    [fine.account, 'fine-lot'],
  ] as const) {
    await p.ledger.transfer({
      source: 'test',
      key,
      legs: [
        { debitAccountId: wallet.id, creditAccountId: account.id, amount: 50, kind: 'earn', expiresAt: new Date(Date.now() - 60_000) },
      ],
    });
  }
  // A lot claiming more points than its member holds: the ledger refuses to expire it.
  await harness.db.dataSource.query(`UPDATE point_lot SET remaining = 50, points = 90 WHERE "memberAccountId" = $1`, [broken.account.id]);
  await harness.db.dataSource.query(`UPDATE point_lot SET remaining = 90 WHERE "memberAccountId" = $1`, [broken.account.id]);
  const summary = await harness.env.client.workflow.execute(pointsExpiryWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: 'points-expiry-broken-lot',
    args: [{ alertDays: [] }],
  });
  expect(summary).toMatchObject({ failedLots: [expect.any(String)] });
  expect(await p.available(fine.account.id)).toBe(0);
  const alert = (await readInbox(harness.sink.directory)).find(
    (m) => m.to.includes(harness.operatorEmail) && m.subject.startsWith('Points expiry'),
  );
  expect(alert?.text).toContain('expiry-broken-lot');
  await harness.db.dataSource.query(`UPDATE point_lot SET remaining = 50, points = 50 WHERE "memberAccountId" = $1`, [broken.account.id]);
});

it('tells a partner once when its wallet runs low, once when it is empty, and again after a top-up', async () => {
  const p = await createProgram(harness.db.dataSource);
  const { partner, wallet } = await p.partner(600);
  await harness.db.dataSource.query(`UPDATE partner SET "lowBalanceThreshold" = 500, "contactEmail" = 'owner@shop.test' WHERE id = $1`, [
    partner.id,
  ]);
  const { account } = await p.member('funding-cy');
  const earn = (amount: number, key: string) =>
    p.ledger.transfer({ source: 'test', key, legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount, kind: 'earn' }] });
  let run = 0;
  const alerts = () =>
    harness.env.client.workflow.execute(fundingAlertsWorkflow, { taskQueue: harness.taskQueue, workflowId: `funding-alerts-${++run}` });
  const subjects = async () =>
    (await readInbox(harness.sink.directory))
      .filter((m) => m.to.includes('owner@shop.test'))
      .map((m) => m.subject)
      .reverse();

  await earn(200, 'funding-1');
  await alerts();
  await alerts();
  await earn(400, 'funding-2');
  await alerts();
  await creditPurchasedPoints(harness.db.dataSource.manager, p.ledger, {
    walletAccountId: wallet.id,
    points: 1_000,
    key: 'funding-top-up',
  });
  await alerts();
  await earn(700, 'funding-3');
  await alerts();
  expect(await subjects()).toEqual([
    `${partner.name}: 400 points left in your wallet`,
    `${partner.name}: your points wallet is empty, the earn widget is paused`,
    `${partner.name}: 300 points left in your wallet`,
  ]);
});

it('gives a member gone quiet the reactivation bonus and an email, once per inactivity period', async () => {
  const p = await createProgram(harness.db.dataSource);
  const { account: quiet } = await p.member('quiet-dee');
  const { account: busy } = await p.member('busy-eli');
  await harness.db.dataSource.query(`UPDATE member SET "enrolledAt" = now() - interval '120 days' WHERE "externalId" = 'quiet-dee'`);
  await harness.db.dataSource.manager.insert(Bonus, { name: 'We missed you', moment: 'reactivation', points: 100, inactivityDays: 90 });
  let run = 0;
  const reactivate = () =>
    harness.env.client.workflow.execute(reactivationWorkflow, { taskQueue: harness.taskQueue, workflowId: `reactivation-${++run}` });

  expect(await reactivate()).toBe(1);
  expect(await p.available(quiet.id)).toBe(100);
  expect(await p.available(busy.id)).toBe(0);
  expect(await reactivate()).toBe(0);
  expect(await p.available(quiet.id)).toBe(100);
  const mails = (await readInbox(harness.sink.directory)).filter((m) => m.to.includes('quiet-dee@example.test'));
  expect(mails.map((m) => m.subject)).toEqual(['We missed you: 100 bonus points are waiting']);
});

it("emails each partner its weekly report with a PNG chart and a CSV, and the operator the program's", async () => {
  const p = await createProgram(harness.db.dataSource);
  const { partner } = await p.partner(50_000);
  await harness.db.dataSource.query(`UPDATE partner SET "contactEmail" = 'reports@weekly.test' WHERE id = $1`, [partner.id]);
  await harness.db.dataSource.manager.upsert(
    EarningRule,
    { name: 'report points', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } },
    ['id'],
  );
  forgetProgramConfiguration(harness.db.dataSource);
  for (const [externalId, euros] of [
    ['report-a', 40],
    ['report-b', 25],
  ] as const) {
    await harness.db.dataSource.transaction((manager) =>
      recordEvent(manager, p.ledger, {
        partnerId: partner.id,
        member: { externalId },
        type: 'purchase',
        amountCents: euros * 100,
        occurredAt: new Date(),
        receivedAt: new Date(),
      }),
    );
  }
  const sent = await harness.env.client.workflow.execute(partnerReportsWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: 'reports-weekly-test',
    args: ['weekly'],
  });
  expect(sent).toBeGreaterThanOrEqual(2);
  const inbox = await readInbox(harness.sink.directory);
  const report = inbox.find((m) => m.to.includes('reports@weekly.test'))!;
  expect(report.subject).toBe(`${partner.name}: your weekly Tessera report`);
  expect(report.text).toContain('Points issued: 65');
  expect(report.text).toContain('Members earning: 2');
  expect(report.text).toContain('report points: 65 points');
  expect(report.attachments.map((a) => [a.filename, a.contentType])).toEqual([
    ['points.png', 'image/png'],
    ['points.csv', 'text/csv'],
  ]);
  expect(report.attachments[0]!.size).toBeGreaterThan(5_000);
  expect(inbox.some((m) => m.to.includes(harness.operatorEmail) && m.subject === 'The coalition program: your weekly Tessera report')).toBe(
    true,
  );
});
