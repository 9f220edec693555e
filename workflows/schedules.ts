import {
  isGrpcDeadlineError,
  isGrpcServiceError,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleSpec,
  type Workflow,
} from '@temporalio/client';
import { birthdayWorkflow } from './birthday.workflow.js';
import { dailyFiguresWorkflow } from './daily-figures.workflow.js';
import { fundingAlertsWorkflow } from './funding-alerts.workflow.js';
import { ledgerAuditWorkflow } from './ledger-audit.workflow.js';
import { outboxSweepWorkflow } from './outbox-sweep.workflow.js';
import { partnerReportsWorkflow } from './partner-reports.workflow.js';
import { pointsExpiryWorkflow } from './points-expiry.workflow.js';
import { reactivationWorkflow } from './reactivation.workflow.js';
import { monthlySettlementWorkflow } from './monthly-settlement.workflow.js';
import { partitionMaintenanceWorkflow } from './partition-maintenance.workflow.js';

export const scheduleIds = {
  ledgerAudit: 'ledger-audit-nightly',
  pointsExpiry: 'points-expiry-daily',
  fundingAlerts: 'funding-alerts',
  reactivation: 'reactivation-daily',
  weeklyReports: 'partner-reports-weekly',
  monthlyReports: 'partner-reports-monthly',
  outboxSweep: 'outbox-sweep',
  birthdays: 'birthdays-daily',
  monthlySettlement: 'settlement-monthly',
  dailyFigures: 'daily-figures',
  partitionMaintenance: 'partition-maintenance-daily',
} as const;

/**
 * When the birthday run starts, UTC: in Europe, Africa, Asia and Oceania it is already the
 * member's day (messages wait for 09:00 there); from UTC-8 to UTC-1 it is the small hours of the
 * same day (they wait for 09:00 too); at UTC-9 and further west it is still the evening before, so
 * those members are celebrated, at once, on the evening of their own day.
 */
export const birthdayRunHourUtc = 8;

/** Schedules an earlier version registered that nothing runs any more. */
const retiredScheduleIds = ['webhook-outbox'];

interface Recurring<W extends Workflow> {
  scheduleId: string;
  spec: ScheduleSpec;
  workflow: W;
  workflowId: string;
  args: Parameters<W>;
}

const recurring = <W extends Workflow>(r: Recurring<W>) => r;

/** The program's recurring work. Day boundaries and times of day are UTC, as everywhere in Tessera. */
export function programSchedules(expiryAlertDays: number[] = [30, 7]) {
  return [
    recurring({
      scheduleId: scheduleIds.ledgerAudit,
      spec: { calendars: [{ hour: 3, minute: 15 }] },
      workflow: ledgerAuditWorkflow,
      workflowId: 'ledger-audit',
      args: [],
    }),
    recurring({
      scheduleId: scheduleIds.pointsExpiry,
      spec: { calendars: [{ hour: 2, minute: 0 }] },
      workflow: pointsExpiryWorkflow,
      workflowId: 'points-expiry',
      args: [{ alertDays: expiryAlertDays }],
    }),
    recurring({
      scheduleId: scheduleIds.fundingAlerts,
      spec: { intervals: [{ every: '10 minutes' }] },
      workflow: fundingAlertsWorkflow,
      workflowId: 'funding-alerts',
      args: [],
    }),
    recurring({
      scheduleId: scheduleIds.reactivation,
      spec: { calendars: [{ hour: 10, minute: 0 }] },
      workflow: reactivationWorkflow,
      workflowId: 'reactivation',
      args: [],
    }),
    recurring({
      scheduleId: scheduleIds.weeklyReports,
      spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 7, minute: 0 }] },
      workflow: partnerReportsWorkflow,
      workflowId: 'partner-reports-weekly',
      args: ['weekly'],
    }),
    recurring({
      scheduleId: scheduleIds.monthlyReports,
      spec: { calendars: [{ dayOfMonth: 1, hour: 7, minute: 30 }] },
      workflow: partnerReportsWorkflow,
      workflowId: 'partner-reports-monthly',
      args: ['monthly'],
    }),
    recurring({
      scheduleId: scheduleIds.birthdays,
      spec: { calendars: [{ hour: birthdayRunHourUtc, minute: 0 }] },
      workflow: birthdayWorkflow,
      workflowId: 'birthdays',
      args: [],
    }),
    // At 04:00 on the 1st: well after midnight, so every transfer of last month has committed.
    recurring({
      scheduleId: scheduleIds.monthlySettlement,
      spec: { calendars: [{ dayOfMonth: 1, hour: 4, minute: 0 }] },
      workflow: monthlySettlementWorkflow,
      workflowId: 'settlement-monthly',
      args: [{}],
    }),
    recurring({
      scheduleId: scheduleIds.outboxSweep,
      spec: { intervals: [{ every: '1 minute' }] },
      workflow: outboxSweepWorkflow,
      workflowId: 'outbox-sweep',
      args: [],
    }),
    // The dashboard adds the rows written since the last run to the figures: the fewer, the faster.
    recurring({
      scheduleId: scheduleIds.dailyFigures,
      spec: { intervals: [{ every: '15 minutes' }] },
      workflow: dailyFiguresWorkflow,
      workflowId: 'daily-figures',
      args: [],
    }),
    // Three months ahead are made each day: a failed night has weeks to be noticed and rerun.
    recurring({
      scheduleId: scheduleIds.partitionMaintenance,
      spec: { calendars: [{ hour: 1, minute: 30 }] },
      workflow: partitionMaintenanceWorkflow,
      workflowId: 'partition-maintenance',
      args: [],
    }),
  ];
}

/**
 * Registers the program's recurring work; safe at every start. A schedule that exists already is
 * brought to what this version says (spec, workflow, arguments), and retired ones are deleted.
 */
export async function registerSchedules(client: Client, taskQueue: string, expiryAlertDays?: number[]): Promise<void> {
  for (const schedule of programSchedules(expiryAlertDays)) {
    const options: ScheduleOptions = {
      scheduleId: schedule.scheduleId,
      spec: { ...schedule.spec, timezone: 'UTC' },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action: { type: 'startWorkflow', workflowType: schedule.workflow, taskQueue, workflowId: schedule.workflowId, args: schedule.args },
    };
    await whileTemporalWarmsUp(async () => {
      try {
        await client.schedule.create(options);
      } catch (error) {
        if (!(error instanceof ScheduleAlreadyRunning)) throw error;
        await client.schedule
          .getHandle(schedule.scheduleId)
          .update((previous) => ({ ...previous, spec: options.spec, action: options.action }));
      }
    });
  }
  for (const scheduleId of retiredScheduleIds) {
    await whileTemporalWarmsUp(() =>
      client.schedule
        .getHandle(scheduleId)
        .delete()
        .catch((error: unknown) => {
          if (!(error instanceof ScheduleNotFoundError)) throw error;
        }),
    );
  }
}

/** gRPC's UNAVAILABLE: the server is not listening yet, or is restarting. */
const grpcUnavailable = 14;

/** Whether a call failed because the server was busy or not up yet, so that the same call may succeed later. */
export function isTransientTemporalError(error: unknown): boolean {
  if (isGrpcDeadlineError(error)) return true;
  const cause = error instanceof Error ? error.cause : undefined;
  return [error, cause].some((candidate) => isGrpcServiceError(candidate) && candidate.code === grpcUnavailable);
}

/**
 * Runs `call` again while Temporal answers that it is busy. A server just restarted on its data
 * loads every schedule's scheduler before it answers about them, and on a loaded machine that can
 * outlast a call's deadline; starting the product must wait for it, not fail.
 */
export async function whileTemporalWarmsUp<T>(call: () => Promise<T>, patienceMs = 120_000, pauseMs = 1_000): Promise<T> {
  const giveUpAt = Date.now() + patienceMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientTemporalError(error) || Date.now() + pauseMs > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
