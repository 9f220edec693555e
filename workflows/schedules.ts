import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const ledgerAuditScheduleId = 'ledger-audit-nightly';

/** Registers the program's recurring work; safe to call at every start. */
export async function registerSchedules(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: ledgerAuditScheduleId,
      spec: { calendars: [{ hour: 3, minute: 15 }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action: { type: 'startWorkflow', workflowType: 'ledgerAuditWorkflow', taskQueue, workflowId: 'ledger-audit' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
