import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CampaignActivities } from './activities/campaign-activities.js';
import { startQueuedProcesses } from './outbox-sweep.workflow.js';

const { decideCampaignApproval } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export interface CampaignApprovalDecision {
  approved: boolean;
  /** The operator staff member's email. */
  by: string;
  /** Why it is rejected, shown to the partner. */
  reason?: string | null;
}

/** An operator's decision on a partner's campaign. */
export const campaignDecisionSignal = defineSignal<[CampaignApprovalDecision]>('campaignDecision');

export interface CampaignApprovalInput {
  campaignId: string;
  /** This request (a campaign rejected and asked again is a new request, with its own process). */
  requestId: string;
}

/**
 * A partner's campaign waits for the operator: scheduled if approved (its lifecycle starts at once),
 * a draft again with the reason if rejected. A decision the four-eyes rule refuses (by whoever asked)
 * is ignored and the campaign keeps waiting.
 */
export async function campaignApprovalWorkflow({ campaignId, requestId }: CampaignApprovalInput): Promise<string> {
  const decisions: CampaignApprovalDecision[] = [];
  setHandler(campaignDecisionSignal, (decision) => void decisions.push(decision));
  for (;;) {
    await condition(() => decisions.length > 0);
    const outcome = await decideCampaignApproval(campaignId, requestId, decisions.shift()!);
    if (outcome === 'not_allowed') continue;
    if (outcome === 'approved') await startQueuedProcesses();
    return outcome;
  }
}
