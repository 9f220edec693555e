import type { DataSource } from 'typeorm';
import { currentMember } from '../loyalty/member-identity.js';
import {
  addressOn,
  mayMessage,
  messageKindLabels,
  messageKinds,
  type MessageKind,
  type TransactionalMessageKind,
} from '../loyalty/member-preferences.js';
import { unsubscribeKey, unsubscribeToken } from '../loyalty/unsubscribe-tokens.js';
import type { Mailer } from './mailer.js';
import type { SmsSender } from './sms-sender.js';

/** A message for a member, on one channel. */
export type MemberMessageContent =
  | {
      channel: 'email';
      subject: string;
      text: string;
      /** An HTML part besides the text (a campaign's tracked links and pixel). */ html?: string;
    }
  | { channel: 'sms'; text: string };

/** Sends members the program's messages, through the outbox's workflows. */
export interface MemberMessenger {
  /**
   * Sends `message` to the member `memberId` stands for, unless they turned `kind` off on its channel
   * or have no address there. A kind they may turn off carries a link that stops it without signing
   * in (and, by email, RFC 8058's one-click headers); a notice of what changed on their account does
   * not. True when it was sent.
   */
  send(memberId: string, kind: MessageKind | TransactionalMessageKind, message: MemberMessageContent): Promise<boolean>;
}

const mayTurnOff = (kind: MessageKind | TransactionalMessageKind): kind is MessageKind =>
  (messageKinds as readonly string[]).includes(kind);

export function createMemberMessenger({
  dataSource,
  mailer,
  sms,
  publicUrl,
}: {
  dataSource: DataSource;
  mailer: Mailer;
  sms: SmsSender;
  /** Base of the links (`https://loyalty.example.com`). */
  publicUrl: string;
}): MemberMessenger {
  const base = publicUrl.replace(/\/+$/, '');
  // The installation's key never changes once made.
  let key: string | undefined;
  return {
    async send(memberId, kind, message) {
      const member = await currentMember(dataSource.manager, memberId);
      if (!member || !mayMessage(member, kind, message.channel)) return false;
      const address = addressOn(member, message.channel)!;
      if (!mayTurnOff(kind)) {
        if (message.channel === 'sms') await sms.send({ to: address, text: message.text, memberId: member.id });
        else
          await mailer.send({
            to: address,
            subject: message.subject,
            text: `${message.text}\n\n--\nYou get this email as a member of Tessera.\n`,
          });
        return true;
      }
      key ??= await unsubscribeKey(dataSource.manager);
      const stop = `${base}/unsubscribe?t=${unsubscribeToken(key, { memberId: member.id, kind, channel: message.channel })}`;
      if (message.channel === 'sms') {
        await sms.send({ to: address, text: `${message.text} Stop: ${stop}`, memberId: member.id });
        return true;
      }
      const footer = `You get this email as a member of Tessera. To stop ${messageKindLabels[kind]} by email, open:`;
      await mailer.send({
        to: address,
        subject: message.subject,
        text: `${message.text}\n\n--\n${footer}\n${stop}\n`,
        ...(message.html ? { html: `${message.html}<hr><p>${footer} <a href="${stop}">${stop}</a></p>` } : {}),
        headers: { 'List-Unsubscribe': `<${stop}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      return true;
    },
  };
}
