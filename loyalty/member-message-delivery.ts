import { IsNull, type EntityManager } from 'typeorm';
import { MemberMessage, type Member, type MessageChannel } from '../entities/index.js';
import { programSettings } from './earning/program-settings.js';
import { currentMember } from './member-identity.js';
import type { OccasionKind } from './member-messages.js';
import { addressOn, mayMessage, messageKindLabels, messageKinds, type MessageKind } from './member-preferences.js';

/** A message still to send, with the member it goes to now (the one a merge made of them). */
export interface PendingMessage {
  id: string;
  kind: OccasionKind;
  details: Record<string, unknown>;
  member: Member;
}

/** The message, unless it was sent or settled already (a retry, a second start), or its member is gone. */
export async function pendingMemberMessage(manager: EntityManager, messageId: string): Promise<PendingMessage | null> {
  const message = await manager.findOneBy(MemberMessage, { id: messageId, sentAt: IsNull(), notSentReason: IsNull() });
  const member = message && (await currentMember(manager, message.memberId));
  if (!message || !member) return null;
  return { id: message.id, kind: message.kind as OccasionKind, details: message.details, member };
}

/** The channel a message goes by, or why it cannot go. */
export type MessageRoute = { channel: MessageChannel } | { notSent: string };

/**
 * How the message reaches the member, as they allow: a welcome, a reward's code, the notice of a
 * store that linked them or of care's adjustment of their balance, by the first address they proved
 * (email, else phone); a birthday by the program's channel (`email_or_sms`: email when the member
 * gets it, else SMS).
 */
export async function messageRoute(manager: EntityManager, pending: PendingMessage): Promise<MessageRoute> {
  const { member, kind } = pending;
  const proven = (channel: MessageChannel) => (channel === 'email' ? member.emailVerifiedAt : member.phoneVerifiedAt) !== null;
  let candidates: MessageChannel[];
  if (kind === 'birthday') {
    const { birthdayChannel } = await programSettings(manager);
    candidates = birthdayChannel === 'email_or_sms' ? ['email', 'sms'] : [birthdayChannel];
  } else {
    candidates = (['email', 'sms'] as const).filter(proven);
  }
  const reachable = candidates.filter((channel) => addressOn(member, channel));
  const allowed = reachable.find((channel) => mayMessage(member, kind, channel));
  if (allowed) return { channel: allowed };
  if (reachable.length > 0) return { notSent: turnedOff(kind, reachable.join(' and ')) };
  return {
    notSent: kind === 'birthday' ? `the member has no address for ${candidates.join(' or ')}` : 'the member has no verified address',
  };
}

/** Why a message a member may turn off did not go out. */
export function turnedOff(kind: OccasionKind, channels: string): string {
  const label = (messageKinds as readonly string[]).includes(kind) ? messageKindLabels[kind as MessageKind] : kind;
  return `the member turned ${label} by ${channels} off`;
}

export async function recordMessageSent(manager: EntityManager, messageId: string, channel: MessageChannel): Promise<void> {
  await manager.update(MemberMessage, { id: messageId }, { sentAt: new Date(), channel });
}

/** Settles a message that will not go out, saying why. */
export async function recordMessageNotSent(manager: EntityManager, messageId: string, reason: string): Promise<void> {
  await manager.update(MemberMessage, { id: messageId }, { notSentReason: reason });
}
