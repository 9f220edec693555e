import { afterAll, beforeAll, expect, it } from 'vitest';
import { partitionName } from '../entities/partitioned-tables.js';
import { partitionsOf } from '../loyalty/partitions/maintenance.js';
import { partitionMaintenanceWorkflow } from '../workflows/partition-maintenance.workflow.js';
import { programSchedules, scheduleIds } from '../workflows/schedules.js';
import { createProgram } from './support/program.js';
import { startTimeSkippingServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/** The partition maintenance job keeps three months ready ahead of the current one, every day. */
let harness: WorkerHarness;
beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'partition-maintenance-test');
  await harness.env.connection.testService!.lockTimeSkipping({});
}, 180_000);
afterAll(() => harness?.stop());

// Read once: a run that crosses midnight at a month's end must not change the months it expects.
const today = new Date();
const month = (offset: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + offset, 1));
const run = (workflowId: string, asOf?: Date) =>
  harness.env.client.workflow.execute(partitionMaintenanceWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: asOf ? [asOf.toISOString()] : [],
  });

it('creates the next months as time moves, once, moving rows the default partition held for them, and runs daily', async () => {
  const manager = harness.db.dataSource.manager;
  // Migrated through three months ahead of the day the test database was built (at most the last
  // month's end, when a run crosses midnight): today's run has at most the third month to add.
  const tables = ['ledger_transfer', 'point_lot', 'member_event'] as const;
  const firstRun = await run('partitions-today', today);
  expect(firstRun.map((r) => r.table)).toEqual(tables);
  for (const [i, table] of tables.entries()) {
    expect(firstRun[i]).toMatchObject({ moved: 0, inDefault: 0 });
    expect([[], [partitionName(table, month(3))]]).toContainEqual(firstRun[i]!.created);
  }
  expect(await run('partitions-today-again', today)).toEqual([
    { table: 'ledger_transfer', created: [], moved: 0, inDefault: 0 },
    { table: 'point_lot', created: [], moved: 0, inDefault: 0 },
    { table: 'member_event', created: [], moved: 0, inDefault: 0 },
  ]);
  expect(await partitionsOf(manager, 'member_event')).not.toContain(partitionName('member_event', month(4)));

  // An event dated five months ahead waits in the default partition until its month is made.
  const p = await createProgram(harness.db.dataSource);
  const shop = await p.partner(1_000);
  const ann = await p.member('partition-ann');
  await harness.db.dataSource.query(
    `INSERT INTO member_event ("partnerId", "memberId", "customerId", type, "occurredAt", points) VALUES ($1, $2, 'ann', 'visit', $3, 0)`,
    [shop.partner.id, ann.member.id, new Date(month(5).getTime() + 86_400_000)],
  );

  // A month later the fourth month ahead appears, for each table; two months later the fifth, with the event.
  expect(await run('partitions-next-month', new Date(month(1).getTime() + 3_600_000))).toEqual([
    { table: 'ledger_transfer', created: [partitionName('ledger_transfer', month(4))], moved: 0, inDefault: 0 },
    { table: 'point_lot', created: [partitionName('point_lot', month(4))], moved: 0, inDefault: 0 },
    { table: 'member_event', created: [partitionName('member_event', month(4))], moved: 0, inDefault: 1 },
  ]);
  expect(await run('partitions-in-two-months', month(2))).toEqual([
    { table: 'ledger_transfer', created: [partitionName('ledger_transfer', month(5))], moved: 0, inDefault: 0 },
    { table: 'point_lot', created: [partitionName('point_lot', month(5))], moved: 0, inDefault: 0 },
    { table: 'member_event', created: [partitionName('member_event', month(5))], moved: 1, inDefault: 0 },
  ]);
  expect(await harness.db.dataSource.query(`SELECT COUNT(*)::int AS n FROM ${partitionName('member_event', month(5))}`)).toEqual([
    { n: 1 },
  ]);
  // A second run the same day does nothing.
  expect(await run('partitions-in-two-months-again', month(2))).toEqual([
    { table: 'ledger_transfer', created: [], moved: 0, inDefault: 0 },
    { table: 'point_lot', created: [], moved: 0, inDefault: 0 },
    { table: 'member_event', created: [], moved: 0, inDefault: 0 },
  ]);

  const schedule = programSchedules().find((s) => s.scheduleId === scheduleIds.partitionMaintenance)!;
  expect(schedule.workflow).toBe(partitionMaintenanceWorkflow);
  expect(schedule.spec).toEqual({ calendars: [{ hour: 1, minute: 30 }] });
});
