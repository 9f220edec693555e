import { afterAll, beforeAll, expect, it } from 'vitest';
import { dailyFiguresWorkflow } from '../workflows/daily-figures.workflow.js';
import { programSchedules, scheduleIds } from '../workflows/schedules.js';
import { createProgram } from './support/program.js';
import { startTimeSkippingServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/** The daily figures are kept by a scheduled workflow: each run counts what was written since the last. */
let harness: WorkerHarness;
beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'daily-figures-test');
  // Time stands still while the activity works (see time-skipping-workflows.test.ts).
  await harness.env.connection.testService!.lockTimeSkipping({});
}, 180_000);
afterAll(() => harness?.stop());

const issuedToday = async () =>
  Number(
    (await harness.db.dataSource.query(`SELECT COALESCE(SUM(points), 0) AS points FROM daily_figure WHERE kind = 'issued'`))[0].points,
  );

it('counts the points issued since its last run, and is scheduled every quarter of an hour', async () => {
  const p = await createProgram(harness.db.dataSource);
  const { wallet } = await p.partner(1_000);
  const { account } = await p.member();
  const earn = (amount: number, key: string) =>
    p.ledger.transfer({ source: 'test', key, legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount, kind: 'earn' }] });
  const run = (workflowId: string) =>
    harness.env.client.workflow.execute(dailyFiguresWorkflow, { taskQueue: harness.taskQueue, workflowId });

  await earn(40, 'first');
  await run('figures-1');
  expect(await issuedToday()).toBe(40);
  await earn(25, 'second');
  await run('figures-2');
  await run('figures-3');
  expect(await issuedToday()).toBe(65);

  const schedule = programSchedules().find((s) => s.scheduleId === scheduleIds.dailyFigures)!;
  expect(schedule.workflow).toBe(dailyFiguresWorkflow);
  expect(schedule.spec).toEqual({ intervals: [{ every: '15 minutes' }] });
});

it('heartbeats while it counts: a worker lost mid-run is noticed within a minute, not at its hour-long timeout', async () => {
  const workflowId = 'figures-heartbeat';
  await harness.env.client.workflow.execute(dailyFiguresWorkflow, { taskQueue: harness.taskQueue, workflowId });
  const { events } = await harness.env.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = events!.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!;
  expect(Number(scheduled.heartbeatTimeout?.seconds ?? 0)).toBeGreaterThan(0);
  expect(Number(scheduled.heartbeatTimeout?.seconds)).toBeLessThanOrEqual(60);
});
