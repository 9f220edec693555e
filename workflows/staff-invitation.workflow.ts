import { proxyActivities } from '@temporalio/workflow';
import type { StaffInvitationActivities } from './activities/staff-invitation-activities.js';
import { emailActivityOptions } from './email-retry.js';

const { sendStaffInvitation } = proxyActivities<StaffInvitationActivities>(emailActivityOptions);

/** Emails a new staff member (a partner's user) the link that sets their first password. */
export async function staffInvitationWorkflow(invitationId: string): Promise<string> {
  return sendStaffInvitation(invitationId);
}
