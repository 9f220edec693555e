import type { DataSource } from 'typeorm';
import { tokenForInvitation } from '../../loyalty/staff-invitations.js';
import type { Mailer } from '../../reports/mailer.js';
import { staffInvitationEmail } from '../../reports/staff-invitation-email.js';

export function createStaffInvitationActivities({
  dataSource,
  mailer,
  publicUrl,
}: {
  dataSource: DataSource;
  mailer: Mailer;
  publicUrl: string;
}) {
  return {
    /** Emails an invitation its set-password link (a new token each time: the latest email's link works). */
    async sendStaffInvitation(invitationId: string): Promise<string> {
      const invitation = await tokenForInvitation(dataSource.manager, invitationId);
      if (!invitation) return 'already used: nothing to send';
      await mailer.send(staffInvitationEmail({ ...invitation, to: invitation.email, publicUrl }));
      return `sent to ${invitation.email}`;
    },
  };
}

export type StaffInvitationActivities = ReturnType<typeof createStaffInvitationActivities>;
