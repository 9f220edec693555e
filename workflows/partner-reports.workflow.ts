import { proxyActivities } from '@temporalio/workflow';
import type { ReportActivities } from './activities/report-activities.js';

const { reportRecipients, sendReport } = proxyActivities<ReportActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Emails each partner its report for the period, and the operator the program-wide one. */
export async function partnerReportsWorkflow(period: 'weekly' | 'monthly'): Promise<number> {
  const recipients = await reportRecipients();
  for (const recipient of recipients) await sendReport(recipient, period);
  return recipients.length;
}
