import type { DataSource } from 'typeorm';
import {
  messageRoute,
  pendingMemberMessage,
  type PendingMessage,
  recordMessageNotSent,
  recordMessageSent,
  turnedOff,
} from '../../loyalty/member-message-delivery.js';
import { appliedAdjustment } from '../../loyalty/care-adjustments.js';
import type {
  BirthdayDetails,
  CareAdjustmentDetails,
  InstantWinDetails,
  RewardCodeDetails,
  StoreLinkedDetails,
} from '../../loyalty/member-messages.js';
import { memberRedemption } from '../../loyalty/member-rewards.js';
import type { MessageChannel } from '../../entities/index.js';
import type { MemberMessageContent, MemberMessenger } from '../../reports/member-messenger.js';
import {
  birthdayMessage,
  careAdjustmentMessage,
  instantWinMessage,
  rewardCodeMessage,
  storeLinkedMessage,
  welcomeMessage,
} from '../../reports/occasion-messages.js';

async function occasionMessage(
  dataSource: DataSource,
  pending: PendingMessage,
  channel: MessageChannel,
  publicUrl: string,
): Promise<MemberMessageContent | null> {
  switch (pending.kind) {
    case 'welcome':
      return welcomeMessage(pending.member, channel, publicUrl);
    case 'birthday':
      return birthdayMessage(pending.member, pending.details as unknown as BirthdayDetails, channel, publicUrl);
    case 'store_linked':
      return storeLinkedMessage(pending.member, pending.details as unknown as StoreLinkedDetails, channel, publicUrl);
    case 'reward_code': {
      const { redemptionId } = pending.details as unknown as RewardCodeDetails;
      const redemption = await memberRedemption(dataSource.manager, pending.member.id, redemptionId);
      return redemption?.code ? rewardCodeMessage(pending.member, { ...redemption, code: redemption.code }, channel, publicUrl) : null;
    }
    case 'instant_win':
      return instantWinMessage(pending.member, pending.details as unknown as InstantWinDetails, channel, publicUrl);
    case 'care_adjustment': {
      const { adjustmentId } = pending.details as unknown as CareAdjustmentDetails;
      const adjustment = await appliedAdjustment(dataSource.manager, adjustmentId);
      return adjustment ? careAdjustmentMessage(pending.member, adjustment, channel, publicUrl) : null;
    }
  }
}

/** What became of a queued member message. */
export type DeliveryOutcome = 'sent' | 'not_sent' | 'settled_before';

/** Sends a member message queued through the outbox, as the member allows at the time of sending. */
export function createMemberMessageActivities({
  dataSource,
  messenger,
  publicUrl,
}: {
  dataSource: DataSource;
  messenger: MemberMessenger;
  publicUrl: string;
}) {
  return {
    /** Once: a message sent or settled is left alone (a crash between the send and its record may repeat the send once). */
    async deliverMemberMessage(messageId: string): Promise<DeliveryOutcome> {
      const pending = await pendingMemberMessage(dataSource.manager, messageId);
      if (!pending) return 'settled_before';
      const route = await messageRoute(dataSource.manager, pending);
      if ('notSent' in route) {
        await recordMessageNotSent(dataSource.manager, messageId, route.notSent);
        return 'not_sent';
      }
      const content = await occasionMessage(dataSource, pending, route.channel, publicUrl);
      if (!content) {
        await recordMessageNotSent(dataSource.manager, messageId, 'nothing left to tell');
        return 'not_sent';
      }
      if (!(await messenger.send(pending.member.id, pending.kind, content))) {
        // Turned off between the route and the send.
        await recordMessageNotSent(dataSource.manager, messageId, turnedOff(pending.kind, route.channel));
        return 'not_sent';
      }
      await recordMessageSent(dataSource.manager, messageId, route.channel);
      return 'sent';
    },
  };
}

export type MemberMessageActivities = ReturnType<typeof createMemberMessageActivities>;
