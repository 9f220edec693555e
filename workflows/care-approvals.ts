import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { CareApprovalInput, CareDecision } from './care-approval.workflow.js';

export const careApprovalWorkflowId = (adjustmentId: string) => `care-approval-${adjustmentId}`;

/** How the back office starts and answers care approvals (a Temporal client underneath). */
export interface CareApprovals {
  start(adjustmentId: string): Promise<void>;
  decide(adjustmentId: string, decision: CareDecision): Promise<void>;
}

export function temporalCareApprovals(
  client: Client,
  taskQueue: string,
  timing: Pick<CareApprovalInput, 'remindAfter' | 'expireAfter'> = { remindAfter: '1 day', expireAfter: '2 days' },
): CareApprovals {
  return {
    async start(adjustmentId) {
      await client.workflow.start('careApprovalWorkflow', {
        taskQueue,
        workflowId: careApprovalWorkflowId(adjustmentId),
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        args: [{ adjustmentId, ...timing } satisfies CareApprovalInput],
      });
    },
    async decide(adjustmentId, decision) {
      await client.workflow.getHandle(careApprovalWorkflowId(adjustmentId)).signal('careDecision', decision);
    },
  };
}
