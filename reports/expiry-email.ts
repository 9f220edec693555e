import type { ExpiryFailure, ExpiryNotice } from '../loyalty/expiry.js';
import type { MemberMessageContent } from './member-messenger.js';

const date = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const number = new Intl.NumberFormat('en');

/** The member's "your points expire soon" email. */
export function expiryEmail(notice: ExpiryNotice): MemberMessageContent {
  const when = date.format(new Date(notice.expiresOn));
  return {
    channel: 'email',
    subject: `${number.format(notice.points)} of your points expire on ${when}`,
    text:
      `Hello${notice.displayName ? ` ${notice.displayName}` : ''},\n\n` +
      `${number.format(notice.points)} points of your balance expire on ${when} (within ${notice.daysAhead} days).\n` +
      'Spend them on a reward before then: they cannot be used afterwards.\n\nTessera',
  };
}

/** The operator's alert: lots the daily expiry could not expire (the run went on without them). */
export function expiryFailuresEmail(to: string, failures: ExpiryFailure[]) {
  return {
    to,
    subject: `Points expiry: ${failures.length} lot(s) could not expire`,
    text:
      `The daily expiry run expired every other lot due, and left these as they are:\n\n` +
      failures.map((f) => `  lot ${f.lotId} of member ${f.member ?? '(unknown)'}: ${f.reason}`).join('\n') +
      `\n\nCheck them with npm run ledger:check; the next run tries them again.\n\nTessera`,
  };
}
