import type { DataSource } from 'typeorm';
import {
  claimCampaignBatch,
  nextCampaignBatchIn,
  recordRecipientOutcome,
  startMessageCampaign,
  type RecipientOutcome,
} from '../../loyalty/messaging/message-campaigns.js';
import { unsubscribeKey } from '../../loyalty/unsubscribe-tokens.js';
import { campaignMessage } from '../../reports/campaign-messages.js';
import type { MemberMessenger } from '../../reports/member-messenger.js';

/** Draws a campaign's audience and sends it, a batch at a time, at the workflow's clock (`at`, ISO 8601). */
export function createMessageCampaignActivities({
  dataSource,
  messenger,
  publicUrl,
}: {
  dataSource: DataSource;
  messenger: MemberMessenger;
  publicUrl: string;
}) {
  return {
    /** Started, cancelled before its time, or moved later (until when, ISO 8601). */
    async startMessageCampaign(campaignId: string, at: string): Promise<'started' | 'cancelled' | { later: string }> {
      const start = await startMessageCampaign(dataSource, campaignId, new Date(at));
      return start.outcome === 'later' ? { later: start.sendAt.toISOString() } : start.outcome;
    },

    /**
     * Sends one batch (the campaign's rate) and says how long to wait before the next, or null when
     * all are settled. A member who turned offers and news off on the channel is not sent it; a
     * relay's refusal is recorded as a failure for that member, not retried (nobody gets it twice).
     */
    async sendMessageCampaignBatch(campaignId: string, at: string): Promise<number | null> {
      const now = new Date(at);
      const claimed = await claimCampaignBatch(dataSource, campaignId, now);
      const key = claimed.length > 0 ? await unsubscribeKey(dataSource.manager) : '';
      for (const { campaign, member } of claimed) {
        let outcome: RecipientOutcome;
        try {
          const sent = await messenger.send(member.id, 'marketing', campaignMessage(campaign, member, key, publicUrl));
          outcome = sent
            ? { status: 'sent' }
            : { status: 'not_sent', reason: `no ${campaign.channel} address, or offers and news by ${campaign.channel} turned off` };
        } catch (error) {
          outcome = { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
        }
        await recordRecipientOutcome(dataSource.manager, campaignId, member.id, outcome, now);
      }
      return nextCampaignBatchIn(dataSource.manager, campaignId, now, claimed.length > 0);
    },
  };
}

export type MessageCampaignActivities = ReturnType<typeof createMessageCampaignActivities>;
