import type { MemberCodePurpose, MessageChannel } from '../entities/index.js';
import type { Mailer } from './mailer.js';
import type { SmsSender } from './sms-sender.js';

/** Where a code goes: a member's email, or their phone by SMS. */
export interface CodeDestination {
  channel: MessageChannel;
  address: string;
  memberId: string | null;
}

export interface CodeMessage {
  code: string;
  purpose: MemberCodePurpose;
  expiresAt: Date;
  /** For a spending code: the store that asked for it, named so the member knows who will spend. */
  storeName?: string;
  /** For a sign-in code: the dashboard, to sign in by link instead of typing the code. */
  signInLink?: string;
}

/** Sends members their one-time codes, by email or SMS. */
export interface CodeMessenger {
  sendCode(to: CodeDestination, message: CodeMessage): Promise<void>;
}

export function createCodeMessenger(mailer: Mailer, sms: SmsSender): CodeMessenger {
  return {
    async sendCode(to, message) {
      const minutes = Math.round((message.expiresAt.getTime() - Date.now()) / 60_000);
      const text = codeText(message, minutes);
      if (to.channel === 'sms') {
        await sms.send({ to: to.address, text: text.short, ...(to.memberId ? { memberId: to.memberId } : {}) });
      } else {
        await mailer.send({ to: to.address, subject: text.subject, text: text.long });
      }
    },
  };
}

function codeText(message: CodeMessage, minutes: number): { subject: string; short: string; long: string } {
  const warning = 'Never give it to anyone who calls or writes to you for it.';
  if (message.purpose === 'spend') {
    const store = message.storeName ?? 'a store';
    return {
      subject: `Your code to spend points at ${store}: ${message.code}`,
      short: `${message.code} is your code to spend points at ${store}. Valid ${minutes} min. Only give it at the store's checkout.`,
      long: `Hello,\n\n${store} asked to spend points from your Tessera account. If you are at its checkout and agree, give them this code:\n\n    ${message.code}\n\nIt works once, for ${minutes} minutes, at ${store} only. ${warning} If you did not ask for it, ignore this message: nothing is spent without it.\n\nTessera`,
    };
  }
  const where = message.storeName ? ` at ${message.storeName}` : '';
  return {
    subject: `Your Tessera sign-in code${where}: ${message.code}`,
    short: `${message.code} is your Tessera sign-in code${where}. Valid ${minutes} min. ${warning}`,
    long: `Hello,\n\nYour code to sign in to Tessera${where}:\n\n    ${message.code}\n\nIt works once, for ${minutes} minutes.${message.signInLink ? `\nOr open this link on the device you are signing in on:\n${message.signInLink}\n` : ''}\n${warning} If you did not ask for it, ignore this message.\n\nTessera`,
  };
}
