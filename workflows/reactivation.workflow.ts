import { proxyActivities } from '@temporalio/workflow';
import type { ReactivationActivities } from './activities/reactivation-activities.js';

const { reactivateMembers } = proxyActivities<ReactivationActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});
// The bonus is already given: its email waits out a mail server down for up to about a day.
const { sendReactivationEmail } = proxyActivities<ReactivationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', maximumAttempts: 30 },
});

/** The daily reactivation run: bonuses for members gone quiet, and an email each. */
export async function reactivationWorkflow(): Promise<number> {
  const given = await reactivateMembers(new Date().toISOString());
  for (const reactivation of given) await sendReactivationEmail(reactivation);
  return given.length;
}
