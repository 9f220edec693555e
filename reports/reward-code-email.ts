import type { MailMessage } from './mailer.js';

/** The member's copy of an instant reward's code: transactional, sent whatever their marketing choices. */
export function rewardCodeEmail(v: {
  to: string;
  memberName: string | null;
  rewardName: string;
  code: string;
  points: number;
}): MailMessage {
  return {
    to: v.to,
    subject: `Your ${v.rewardName}: your code`,
    text: `Hello${v.memberName ? ` ${v.memberName}` : ''},\n\nYou redeemed ${v.rewardName} for ${v.points} points. Your code:\n\n    ${v.code}\n\nIt is also under "My rewards" on your Tessera page. If you did not redeem it, sign out everywhere from your page and contact customer care.\n\nTessera`,
  };
}
