import type { MessageChannel } from '../entities/index.js';
import type { BirthdayDetails, StoreLinkedDetails } from '../loyalty/member-messages.js';
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

/** The notice of a store that now knows the member, with the way to unlink it. */
export function storeLinkedMessage(
  member: { displayName: string | null },
  link: StoreLinkedDetails,
  channel: MessageChannel,
  publicUrl: string,
): MemberMessageContent {
  const stores = `${publicUrl.replace(/\/+$/, '')}/member/stores`;
  if (channel === 'sms') {
    return { channel, text: `${link.storeName} linked your Tessera account: it adds points and shows your balance. Not you? ${stores}` };
  }
  return {
    channel,
    subject: `${link.storeName} linked your Tessera account`,
    text:
      `${hello(member.displayName)}\n\n` +
      `${link.storeName} told us it verified this address, and now knows you as a member of Tessera: what you buy there ` +
      'earns points in your balance, and the store can show you your balance and what you did there.\n' +
      'It cannot spend your points: that always takes a code we send you, or your own sign-in.\n\n' +
      `If you do not shop at ${link.storeName}, or do not want it to know you, unlink it from your dashboard:\n${stores}\n\nTessera`,
  };
}

/** The member's copy of an instant reward's code. */
export function rewardCodeMessage(
  member: { displayName: string | null },
  redemption: { reward: string; code: string; points: number },
  channel: MessageChannel,
  publicUrl: string,
): MemberMessageContent {
  const myRewards = `${publicUrl.replace(/\/+$/, '')}/member/my-rewards`;
  if (channel === 'sms')
    return { channel, text: `Your ${redemption.reward} code: ${redemption.code}. Also under My rewards: ${myRewards}` };
  return {
    channel,
    subject: `Your ${redemption.reward}: your code`,
    text:
      `${hello(member.displayName)}\n\nYou redeemed ${redemption.reward} for ${number.format(redemption.points)} points. Your code:\n\n    ${redemption.code}\n\n` +
      `It is also under "My rewards" on your Tessera page: ${myRewards}\n` +
      'If you did not redeem it, sign out everywhere from your page and contact customer care.\n\nTessera',
  };
}

/** The notice of care's adjustment of the member's balance, with the reason care gave. */
export function instantWinMessage(
  member: { displayName: string | null },
  win: { campaignName: string; points: number },
  channel: MessageChannel,
  publicUrl: string,
): MemberMessageContent {
  const dashboard = `${publicUrl.replace(/\/+$/, '')}/member`;
  const points = number.format(win.points);
  if (channel === 'sms')
    return { channel, text: `You won ${points} points in ${win.campaignName}! They are on your balance: ${dashboard}` };
  return {
    channel,
    subject: `You won ${points} points`,
    text:
      `${hello(member.displayName)}\n\nYour purchase won an instant prize in ${win.campaignName}: ${points} points, ` +
      `already added to your balance.\n\nSee your balance and your history on your dashboard:\n${dashboard}\n\nTessera`,
  };
}

export function careAdjustmentMessage(
  member: { displayName: string | null },
  adjustment: { points: number; reason: string },
  channel: MessageChannel,
  publicUrl: string,
): MemberMessageContent {
  const dashboard = `${publicUrl.replace(/\/+$/, '')}/member`;
  const points = number.format(Math.abs(adjustment.points));
  const given = adjustment.points > 0;
  const what = given ? `added ${points} points to your balance` : `took ${points} points back from your balance`;
  if (channel === 'sms')
    return { channel, text: `Tessera customer care ${what}. Why: ${adjustment.reason.replace(/[.\s]+$/, '')}. Your balance: ${dashboard}` };
  return {
    channel,
    subject: given ? `${points} points added to your Tessera balance` : `${points} points taken from your Tessera balance`,
    text:
      `${hello(member.displayName)}\n\nOur customer care ${what}.\nWhy: ${adjustment.reason}\n\n` +
      `See your balance and your history on your dashboard:\n${dashboard}\n` +
      (given ? '' : 'If you think this is a mistake, contact customer care.\n') +
      '\nTessera',
  };
}
