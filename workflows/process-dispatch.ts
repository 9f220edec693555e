import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { OutboxProcess } from '../entities/index.js';
import { fulfilmentGiveUpDays } from '../loyalty/fulfilment/fulfilment-terms.js';
import { markProcessesDispatched, undispatchedProcesses, type QueuedProcess } from '../loyalty/outbox.js';
import { campaignApprovalWorkflow } from './campaign-approval.workflow.js';
import { challengeProgressWorkflow } from './challenge-progress.workflow.js';
import { badgeAwardWorkflow } from './badge-award.workflow.js';
import { leaderboardCloseWorkflow } from './leaderboard-close.workflow.js';
import { leaderboardScoreWorkflow } from './leaderboard-score.workflow.js';
import { receiptReadingWorkflow } from './receipt-reading.workflow.js';
import { campaignLifecycleWorkflow } from './campaign-lifecycle.workflow.js';
import { campaignNoticeWorkflow } from './campaign-notice.workflow.js';
import { careApprovalWorkflow, type CareApprovalInput } from './care-approval.workflow.js';
import { holdTimeoutWorkflow } from './hold-timeout.workflow.js';
import { memberMessageWorkflow } from './member-message.workflow.js';
import { messageCampaignMovedSignal, messageCampaignWorkflow } from './message-campaign.workflow.js';
import { staffInvitationWorkflow } from './staff-invitation.workflow.js';
import { rewardFulfilmentWorkflow, type RewardFulfilmentInput } from './reward-fulfilment.workflow.js';
import { webhookDeliveryWorkflow, type WebhookDeliveryInput } from './webhook-delivery.workflow.js';

/** How the processes started from the outbox wait and retry (production's, or a test's quicker ones). */
export interface ProcessTiming {
  fulfilment: Omit<RewardFulfilmentInput, 'redemptionId'>;
  careApproval: Pick<CareApprovalInput, 'remindAfter' | 'expireAfter'>;
  webhookRetry: Omit<WebhookDeliveryInput, 'deliveryId'>;
  /** How long a receipt's image is kept after its upload (a Temporal duration). */
  receiptImageRetention: string;
}

/** The business-readable ids under which the processes show in the Temporal UI; each derives from its subject. */
export const workflowIds = {
  webhookDelivery: (deliveryId: string) => `webhook-${deliveryId}`,
  rewardFulfilment: (rewardCode: string, redemptionId: string) => `reward-fulfilment-${rewardCode}-${redemptionId}`,
  careApproval: (adjustmentId: string) => `care-approval-${adjustmentId}`,
  holdTimeout: (pendingTransferId: string) => `hold-timeout-${pendingTransferId}`,
  memberMessage: (kind: string, messageId: string) => `member-message-${kind}-${messageId}`,
  campaignLifecycle: (campaignId: string) => `campaign-${campaignId}`,
  campaignNotice: (campaignId: string, noticeId: string) => `campaign-notice-${campaignId}-${noticeId}`,
  campaignApproval: (requestId: string) => `campaign-approval-${requestId}`,
  staffInvitation: (invitationId: string) => `staff-invitation-${invitationId}`,
  challengeProgress: (eventId: string) => `challenge-progress-${eventId}`,
  badgeAward: (eventId: string) => `badge-award-${eventId}`,
  leaderboardScore: (eventId: string) => `leaderboard-score-${eventId}`,
  leaderboardClose: (roundId: string) => `leaderboard-close-${roundId}`,
  receiptReading: (receiptId: string) => `receipt-${receiptId}`,
  messageCampaign: (campaignId: string) => `message-campaign-${campaignId}`,
};

type Starter<P extends OutboxProcess> = (entry: Extract<QueuedProcess, { process: P }>) => Promise<unknown>;

export interface ProcessDispatcher {
  /** Starts the workflows of these outbox entries (queued by a transaction that just committed). */
  dispatch(outboxIds: string[]): Promise<void>;
  /** Starts everything queued and not started yet: the sweep behind a crash between a commit and its start. */
  dispatchQueued(batchSize?: number): Promise<number>;
}

/**
 * Starts the workflows queued in the outbox, each under an id derived from its subject, so that
 * starting one twice (the committer and the sweep) is harmless, then marks them started.
 */
export function temporalProcesses({
  client,
  taskQueue,
  dataSource,
  timing,
}: {
  client: Client;
  taskQueue: string;
  dataSource: DataSource;
  timing: ProcessTiming;
}): ProcessDispatcher {
  const once = { taskQueue, workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE };
  // One starter per process: a new process fails the typecheck until it is started here.
  const starters: { [P in OutboxProcess]: Starter<P> } = {
    webhook_delivery: ({ subjectId }) =>
      client.workflow.start(webhookDeliveryWorkflow, {
        ...once,
        workflowId: workflowIds.webhookDelivery(subjectId),
        args: [{ deliveryId: subjectId, ...timing.webhookRetry }],
      }),
    reward_fulfilment: ({ subjectId, details }) =>
      client.workflow.start(rewardFulfilmentWorkflow, {
        ...once,
        workflowId: workflowIds.rewardFulfilment(details.rewardCode, subjectId),
        args: [{ redemptionId: subjectId, ...timing.fulfilment }],
      }),
    care_approval: ({ subjectId }) =>
      client.workflow.start(careApprovalWorkflow, {
        ...once,
        workflowId: workflowIds.careApproval(subjectId),
        args: [{ adjustmentId: subjectId, ...timing.careApproval }],
      }),
    hold_timeout: ({ subjectId, details }) =>
      client.workflow.start(holdTimeoutWorkflow, {
        ...once,
        workflowId: workflowIds.holdTimeout(subjectId),
        args: [{ pendingTransferId: subjectId, expiresAt: details.expiresAt }],
      }),
    campaign_lifecycle: ({ subjectId }) =>
      client.workflow.start(campaignLifecycleWorkflow, {
        ...once,
        workflowId: workflowIds.campaignLifecycle(subjectId),
        args: [subjectId],
      }),
    campaign_notice: ({ subjectId, details }) =>
      client.workflow.start(campaignNoticeWorkflow, {
        ...once,
        workflowId: workflowIds.campaignNotice(details.campaignId, subjectId),
        args: [{ campaignId: details.campaignId, notice: details.notice }],
      }),
    campaign_approval: ({ subjectId, details }) =>
      client.workflow.start(campaignApprovalWorkflow, {
        ...once,
        workflowId: workflowIds.campaignApproval(subjectId),
        args: [{ campaignId: details.campaignId, requestId: subjectId }],
      }),
    staff_invitation: ({ subjectId }) =>
      client.workflow.start(staffInvitationWorkflow, {
        ...once,
        workflowId: workflowIds.staffInvitation(subjectId),
        args: [subjectId],
      }),
    challenge_progress: ({ subjectId }) =>
      client.workflow.start(challengeProgressWorkflow, {
        ...once,
        workflowId: workflowIds.challengeProgress(subjectId),
        args: [subjectId],
      }),
    badge_award: ({ subjectId }) =>
      client.workflow.start(badgeAwardWorkflow, {
        ...once,
        workflowId: workflowIds.badgeAward(subjectId),
        args: [subjectId],
      }),
    leaderboard_score: ({ subjectId }) =>
      client.workflow.start(leaderboardScoreWorkflow, {
        ...once,
        workflowId: workflowIds.leaderboardScore(subjectId),
        args: [subjectId],
      }),
    leaderboard_close: ({ subjectId }) =>
      client.workflow.start(leaderboardCloseWorkflow, {
        ...once,
        workflowId: workflowIds.leaderboardClose(subjectId),
        args: [subjectId],
      }),
    receipt_reading: ({ subjectId }) =>
      client.workflow.start(receiptReadingWorkflow, {
        ...once,
        workflowId: workflowIds.receiptReading(subjectId),
        args: [{ receiptId: subjectId, keepImageFor: timing.receiptImageRetention }],
      }),
    // Queued again when staff change its time: the signal wakes a waiting campaign to ask for the time anew.
    message_campaign: ({ subjectId, details }) =>
      client.workflow.signalWithStart(messageCampaignWorkflow, {
        ...once,
        workflowId: workflowIds.messageCampaign(subjectId),
        args: [{ campaignId: subjectId, sendAt: details.sendAt }],
        signal: messageCampaignMovedSignal,
      }),
    member_message: ({ subjectId, details }) =>
      client.workflow.start(memberMessageWorkflow, {
        ...once,
        workflowId: workflowIds.memberMessage(details.kind, subjectId),
        args: [{ messageId: subjectId, notBefore: details.notBefore }],
      }),
  };

  /** Starts each entry, marks those started, and returns those that would not start with the first reason. */
  async function start(entries: QueuedProcess[]): Promise<{ failed: string[]; failure?: unknown }> {
    const started: string[] = [];
    const failed: string[] = [];
    let failure: unknown;
    for (const entry of entries) {
      try {
        await (starters[entry.process] as Starter<OutboxProcess>)(entry as never);
        started.push(entry.id);
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) started.push(entry.id);
        else {
          failed.push(entry.id);
          failure ??= error;
        }
      }
    }
    await markProcessesDispatched(dataSource, started);
    return { failed, failure };
  }

  return {
    async dispatch(outboxIds) {
      if (outboxIds.length === 0) return;
      const { failed, failure } = await start(await undispatchedProcesses(dataSource, { ids: outboxIds, limit: outboxIds.length }));
      if (failed.length > 0) throw failure;
    },
    async dispatchQueued(batchSize = 200) {
      let dispatched = 0;
      // Entries that would not start are passed over (and reported at the end), so they never hold up the newer ones.
      const passedOver: string[] = [];
      let firstFailure: unknown;
      for (;;) {
        const entries = await undispatchedProcesses(dataSource, { limit: batchSize, excluding: passedOver });
        const { failed, failure } = await start(entries);
        dispatched += entries.length - failed.length;
        passedOver.push(...failed);
        firstFailure ??= failure;
        if (entries.length < batchSize) break;
      }
      if (passedOver.length > 0) throw firstFailure;
      return dispatched;
    },
  };
}

/**
 * Production's timing. Fulfilment looks at an order when it is placed, again `fulfilmentPollSeconds`
 * later, then twice as long after each look up to once an hour (a report signalled by the supplier
 * or the back office is looked at at once), and gives up with the program's terms. Receipt images
 * are kept `receiptImageRetentionDays` after their upload.
 */
export function productionTiming(fulfilmentPollSeconds: number, receiptImageRetentionDays = 90): ProcessTiming {
  return {
    fulfilment: {
      firstPollAfter: `${fulfilmentPollSeconds} seconds`,
      pollAtMostEvery: `${Math.max(fulfilmentPollSeconds, 3_600)} seconds`,
      giveUpAfter: `${fulfilmentGiveUpDays} days`,
    },
    careApproval: { remindAfter: '1 day', expireAfter: '2 days' },
    webhookRetry: { firstRetryAfter: '30 seconds', maximumAttempts: 10 },
    receiptImageRetention: `${receiptImageRetentionDays} days`,
  };
}
