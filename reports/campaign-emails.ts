import type { MailMessage } from './mailer.js';

const number = new Intl.NumberFormat('en');

/** The owner's notice that their campaign spent its budget and paused itself. */
export function campaignBudgetSpentEmail(v: {
  to: string;
  ownerName: string;
  campaignName: string;
  budgetPoints: number | null;
  spentPoints: number;
  publicUrl: string;
  notice: 'budget_spent';
}): MailMessage {
  return {
    to: v.to,
    subject: `${v.campaignName}: its budget is spent, the campaign is paused`,
    text:
      `The campaign "${v.campaignName}" of ${v.ownerName} gave ${number.format(v.spentPoints)} of its ${number.format(v.budgetPoints ?? v.spentPoints)} points ` +
      'and paused itself: members earn nothing more from it.\n' +
      `To go on, raise its budget and resume it in the back office: ${v.publicUrl.replace(/\/+$/, '')}/admin\n\nTessera`,
  };
}
