import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { messageCampaignMovedSignal } from './message-campaign.workflow.js';
import { workflowIds } from './process-dispatch.js';

/** Tells a scheduled message campaign's workflow that its time changed. */
export interface MessageCampaignClock {
  moved(campaignId: string): Promise<void>;
}

export function temporalMessageCampaignClock(client: Client): MessageCampaignClock {
  return {
    async moved(campaignId) {
      try {
        await client.workflow.getHandle(workflowIds.messageCampaign(campaignId)).signal(messageCampaignMovedSignal);
      } catch (error) {
        // Not started yet (it reads the time when it first wakes) or over (sent or cancelled): nothing to wake.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },
  };
}
