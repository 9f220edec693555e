import type { Reactivation } from '../loyalty/reactivation.js';
import type { MemberMessageContent } from './member-messenger.js';

/** The "we missed you" email that comes with a reactivation bonus. */
export function reactivationEmail(r: Reactivation): MemberMessageContent {
  return {
    channel: 'email',
    subject: `We missed you: ${r.points} bonus points are waiting`,
    text: `Hello${r.displayName ? ` ${r.displayName}` : ''},\n\nIt has been a while! We added ${r.points} points to your balance (${r.bonusName}).\nCome back and spend them at any of our partners.\n\nTessera`,
  };
}
