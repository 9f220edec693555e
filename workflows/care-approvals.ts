import type { Client } from '@temporalio/client';
import { careDecisionSignal, type CareDecision } from './care-approval.workflow.js';
import { workflowIds } from './process-dispatch.js';

/** How the back office answers a care approval (its process is started from the outbox). */
export interface CareApprovals {
  decide(adjustmentId: string, decision: CareDecision): Promise<void>;
}

export function temporalCareApprovals(client: Client): CareApprovals {
  return {
    async decide(adjustmentId, decision) {
      await client.workflow.getHandle(workflowIds.careApproval(adjustmentId)).signal(careDecisionSignal, decision);
    },
  };
}
