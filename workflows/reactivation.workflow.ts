import { proxyActivities } from '@temporalio/workflow';
import type { ReactivationActivities } from './activities/reactivation-activities.js';
import { emailActivityOptions } from './email-retry.js';

const { reactivateMembers, alertReactivationFailures } = proxyActivities<ReactivationActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});
const { sendReactivationEmail } = proxyActivities<ReactivationActivities>(emailActivityOptions);

/** The daily reactivation run: bonuses for members gone quiet, and an email each. */
export async function reactivationWorkflow(): Promise<number> {
  const { given, failures } = await reactivateMembers(new Date().toISOString());
  if (failures.length > 0) await alertReactivationFailures(failures);
  for (const reactivation of given) await sendReactivationEmail(reactivation);
  return given.length;
}
