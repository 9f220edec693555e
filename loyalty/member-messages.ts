import type { EntityManager } from 'typeorm';
import { Member, MemberMessage, Partner } from '../entities/index.js';
import type { MessageKind, TransactionalMessageKind } from './member-preferences.js';
import { queueProcess } from './outbox.js';

/** The messages sent once per occasion, each through the outbox and its workflow. */
export type OccasionKind =
  | Extract<MessageKind, 'welcome' | 'birthday'>
  | Extract<TransactionalMessageKind, 'reward_code' | 'store_linked' | 'care_adjustment' | 'instant_win'>;

/** Which redemption's code a reward-code message carries (read when it is sent). */
export interface RewardCodeDetails {
  redemptionId: string;
}

/** Which care adjustment a notice tells of (its points and reason are read when it is sent). */
export interface CareAdjustmentDetails {
  adjustmentId: string;
}

/** What the notice of a new store link tells. */
export interface StoreLinkedDetails {
  storeName: string;
}

/** What the message to an instant winner tells. */
export interface InstantWinDetails {
  campaignName: string;
  points: number;
}

/** What a birthday message tells. */
export interface BirthdayDetails {
  /** The day celebrated, in the member's calendar (`YYYY-MM-DD`; 28 February for 29 February in a common year). */
  birthdayOn: string;
  /** The bonus given with it; 0 for none. */
  points: number;
}

/**
 * Records a message for an occasion and queues its sending, in the caller's transaction; `notBefore`
 * holds it until then (a civil hour of the member's day). Null when the occasion had its message
 * already: it is never recorded, nor sent, twice.
 */
export async function queueMemberMessage(
  manager: EntityManager,
  message: { memberId: string; kind: OccasionKind; occasion: string; details?: object; notBefore?: Date },
): Promise<string | null> {
  const inserted = await manager
    .createQueryBuilder()
    .insert()
    .into(MemberMessage)
    .values({ memberId: message.memberId, kind: message.kind, occasion: message.occasion, details: { ...message.details } })
    .orIgnore()
    .returning(['id'])
    .execute();
  const id: string | undefined = inserted.raw[0]?.id;
  if (!id) return null;
  await queueProcess(manager, 'member_message', id, {
    kind: message.kind,
    ...(message.notBefore ? { notBefore: message.notBefore.toISOString() } : {}),
  });
  return id;
}

/**
 * Welcomes a member, once, as soon as they can be reached: a verified email or phone, whoever
 * verified it (a store, their own sign-in). Call it in the transaction that verified the address.
 */
export async function welcomeWhenReachable(manager: EntityManager, memberId: string): Promise<void> {
  const member = await manager.findOneByOrFail(Member, { id: memberId });
  if (!member.emailVerifiedAt && !member.phoneVerifiedAt) return;
  await queueMemberMessage(manager, { memberId: member.id, kind: 'welcome', occasion: 'enrolment' });
}

/**
 * Tells a member that a store now knows them, on the store's word that it verified their address:
 * earning there is the store's call, but the member should know, and can unlink it from their
 * dashboard. Once per link (the store's id for its customer is not kept: erasure would have to find it).
 * Call it in the transaction that made the link.
 */
export async function noticeStoreLink(manager: EntityManager, link: { id: string; memberId: string; partnerId: string }): Promise<void> {
  const partner = await manager.findOneByOrFail(Partner, { id: link.partnerId });
  const details: StoreLinkedDetails = { storeName: partner.name };
  await queueMemberMessage(manager, {
    memberId: link.memberId,
    kind: 'store_linked',
    occasion: `link:${link.id}`,
    details,
  });
}

/** The member's copy of an instant reward's code, once per redemption. Call it in the transaction that redeemed. */
export async function queueRewardCode(manager: EntityManager, redemption: { id: string; memberId: string }): Promise<void> {
  const details: RewardCodeDetails = { redemptionId: redemption.id };
  await queueMemberMessage(manager, {
    memberId: redemption.memberId,
    kind: 'reward_code',
    occasion: `redemption:${redemption.id}`,
    details,
  });
}

/**
 * Tells a member that care adjusted their balance, with the reason care gave, once per adjustment.
 * Call it in the transaction that applied it: a rejected or expired adjustment tells nothing.
 */
export async function queueCareAdjustmentNotice(manager: EntityManager, adjustment: { id: string; memberId: string }): Promise<void> {
  const details: CareAdjustmentDetails = { adjustmentId: adjustment.id };
  await queueMemberMessage(manager, {
    memberId: adjustment.memberId,
    kind: 'care_adjustment',
    occasion: `adjustment:${adjustment.id}`,
    details,
  });
}
