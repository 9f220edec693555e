import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const ledgerAuditScheduleId = 'ledger-audit-nightly';
export const pointsExpiryScheduleId = 'points-expiry-daily';
export const fundingAlertsScheduleId = 'funding-alerts';
export const reactivationScheduleId = 'reactivation-daily';
export const weeklyReportsScheduleId = 'partner-reports-weekly';
export const monthlyReportsScheduleId = 'partner-reports-monthly';
export const webhookOutboxScheduleId = 'webhook-outbox';

async function ensure(client: Client, options: Parameters<Client['schedule']['create']>[0]): Promise<void> {
  try {
    await client.schedule.create(options);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}

/** Registers the program's recurring work; safe to call at every start. */
export async function registerSchedules(client: Client, taskQueue: string, expiryAlertDays: number[] = [30, 7]): Promise<void> {
  await ensure(client, {
    scheduleId: ledgerAuditScheduleId,
    spec: { calendars: [{ hour: 3, minute: 15 }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    action: { type: 'startWorkflow', workflowType: 'ledgerAuditWorkflow', taskQueue, workflowId: 'ledger-audit' },
  });
  await ensure(client, {
    scheduleId: pointsExpiryScheduleId,
    spec: { calendars: [{ hour: 2, minute: 0 }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    action: {
      type: 'startWorkflow',
      workflowType: 'pointsExpiryWorkflow',
      taskQueue,
      workflowId: 'points-expiry',
      args: [{ alertDays: expiryAlertDays }],
    },
  });
  await ensure(client, {
    scheduleId: fundingAlertsScheduleId,
    spec: { intervals: [{ every: '10 minutes' }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    action: { type: 'startWorkflow', workflowType: 'fundingAlertsWorkflow', taskQueue, workflowId: 'funding-alerts' },
  });
  await ensure(client, {
    scheduleId: reactivationScheduleId,
    spec: { calendars: [{ hour: 10, minute: 0 }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    action: { type: 'startWorkflow', workflowType: 'reactivationWorkflow', taskQueue, workflowId: 'reactivation' },
  });
  await ensure(client, {
    scheduleId: weeklyReportsScheduleId,
    spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 7, minute: 0 }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    action: {
      type: 'startWorkflow',
      workflowType: 'partnerReportsWorkflow',
      taskQueue,
      workflowId: 'partner-reports-weekly',
      args: ['weekly'],
    },
  });
  await ensure(client, {
    scheduleId: monthlyReportsScheduleId,
    spec: { calendars: [{ dayOfMonth: 1, hour: 7, minute: 30 }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    action: {
      type: 'startWorkflow',
      workflowType: 'partnerReportsWorkflow',
      taskQueue,
      workflowId: 'partner-reports-monthly',
      args: ['monthly'],
    },
  });
  await ensure(client, {
    scheduleId: webhookOutboxScheduleId,
    spec: { intervals: [{ every: '1 minute' }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    action: { type: 'startWorkflow', workflowType: 'webhookOutboxWorkflow', taskQueue, workflowId: 'webhook-outbox' },
  });
}
