import { proxyActivities } from '@temporalio/workflow';
import type { BirthdayActivities } from './activities/birthday-activities.js';
import { emailActivityOptions } from './email-retry.js';
import { startQueuedProcesses } from './outbox-sweep.workflow.js';

const { celebrateBirthdays } = proxyActivities<BirthdayActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});
const { alertBirthdayFailures } = proxyActivities<BirthdayActivities>(emailActivityOptions);

/** The daily birthday run: bonuses paid and messages queued (they go at a civil hour of each member's day). */
export async function birthdayWorkflow(): Promise<number> {
  const { celebrated, failures } = await celebrateBirthdays(new Date().toISOString());
  if (failures.length > 0) await alertBirthdayFailures(failures);
  if (celebrated > 0) await startQueuedProcesses();
  return celebrated;
}
