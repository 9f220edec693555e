import type { MessageChannel } from '../entities/index.js';
import type { BirthdayDetails } from '../loyalty/member-messages.js';
import type { MemberMessageContent } from './member-messenger.js';

const dayOfMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' });
const number = new Intl.NumberFormat('en');
const hello = (displayName: string | null) => `Hello${displayName ? ` ${displayName}` : ''},`;

/** The welcome a member gets once they can be reached, with the way to their dashboard. */
export function welcomeMessage(member: { displayName: string | null }, channel: MessageChannel, publicUrl: string): MemberMessageContent {
  const dashboard = `${publicUrl.replace(/\/+$/, '')}/member`;
  if (channel === 'sms') return { channel, text: `Welcome to Tessera! Your points and rewards, from every partner store: ${dashboard}` };
  return {
    channel,
    subject: 'Welcome to Tessera',
    text:
      `${hello(member.displayName)}\n\n` +
      'Welcome to Tessera! The points you earn at every partner store now add up in one place.\n' +
      `See your balance, your history and the rewards you can have on your dashboard:\n${dashboard}\n\n` +
      'Sign in there with this email address: we send you a code, no password needed.\n\nTessera',
  };
}

/** The birthday message, telling of the bonus when there is one. */
export function birthdayMessage(
  member: { displayName: string | null },
  birthday: BirthdayDetails,
  channel: MessageChannel,
  publicUrl: string,
): MemberMessageContent {
  const dashboard = `${publicUrl.replace(/\/+$/, '')}/member`;
  const points = number.format(birthday.points);
  if (channel === 'sms') {
    return {
      channel,
      text:
        birthday.points > 0
          ? `Happy birthday from Tessera! ${points} points are in your balance, our present: ${dashboard}`
          : 'Happy birthday from all of us at Tessera!',
    };
  }
  const day = dayOfMonth.format(new Date(`${birthday.birthdayOn}T00:00:00Z`));
  return {
    channel,
    subject: 'Happy birthday!',
    text:
      `${hello(member.displayName)}\n\n` +
      (birthday.points > 0
        ? `Happy birthday! For your birthday on ${day}, we added ${points} points to your balance.\n` +
          `Spend them on a reward: ${dashboard}\n\n`
        : `Happy birthday for ${day}, from all of us!\n\n`) +
      'Tessera',
  };
}
