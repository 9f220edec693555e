import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { RewardFulfilmentInput } from './reward-fulfilment.workflow.js';

/** The business-readable id under which a redemption's fulfilment shows in the Temporal UI. */
export const fulfilmentWorkflowId = (rewardCode: string, redemptionId: string) => `reward-fulfilment-${rewardCode}-${redemptionId}`;

export function temporalFulfilment(
  client: Client,
  taskQueue: string,
  timing: Pick<RewardFulfilmentInput, 'pollEvery' | 'giveUpAfter'> = { pollEvery: '1 hour', giveUpAfter: '14 days' },
): { start(redemption: { id: string; rewardCode: string }): Promise<void> } {
  return {
    async start({ id, rewardCode }) {
      await client.workflow.start('rewardFulfilmentWorkflow', {
        taskQueue,
        workflowId: fulfilmentWorkflowId(rewardCode, id),
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        args: [{ redemptionId: id, ...timing } satisfies RewardFulfilmentInput],
      });
    },
  };
}
