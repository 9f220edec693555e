import type { MailMessage } from './mailer.js';

/** The invitation to set a first password, with its single-use link. */
export function staffInvitationEmail(v: {
  to: string;
  name: string;
  partnerName: string | null;
  token: string;
  expiresAt: Date;
  publicUrl: string;
}): MailMessage {
  const link = `${v.publicUrl.replace(/\/+$/, '')}/admin/set-password?token=${encodeURIComponent(v.token)}`;
  const where = v.partnerName ? `the part of the Tessera back office of ${v.partnerName}` : 'the Tessera back office';
  const until = v.expiresAt.toISOString().slice(0, 16).replace('T', ' ');
  return {
    to: v.to,
    subject: v.partnerName ? `${v.partnerName} on Tessera: set your password` : 'Tessera: set your password',
    text:
      `Hello ${v.name},\n\n` +
      `You have been given an account on ${where}: its API keys, points of sale, invoices and figures.\n\n` +
      `Set your password here (the link works once, until ${until} UTC):\n${link}\n\n` +
      `Then sign in with ${v.to} at ${v.publicUrl.replace(/\/+$/, '')}/admin\n\n` +
      'If you did not expect this email, ignore it: nothing happens without the link.\n\nTessera',
    holdsSecret: true,
  };
}
