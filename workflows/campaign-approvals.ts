import type { Client } from '@temporalio/client';
import { campaignDecisionSignal, type CampaignApprovalDecision } from './campaign-approval.workflow.js';
import { workflowIds } from './process-dispatch.js';

/** How the back office answers a partner campaign's approval request (its process is started from the outbox). */
export interface CampaignApprovals {
  decide(requestId: string, decision: CampaignApprovalDecision): Promise<void>;
}

export function temporalCampaignApprovals(client: Client): CampaignApprovals {
  return {
    async decide(requestId, decision) {
      await client.workflow.getHandle(workflowIds.campaignApproval(requestId)).signal(campaignDecisionSignal, decision);
    },
  };
}
