import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { RewardFulfilmentInput } from './reward-fulfilment.workflow.js';

export interface FulfilmentControl {
  start(redemption: { id: string; rewardCode: string }): Promise<void>;
  /** A care agent cancels a redemption that has not shipped: the workflow gives the points back. */
  cancel(redemption: { id: string; rewardCode: string }, reason: string): Promise<void>;
}

/** The business-readable id under which a redemption's fulfilment shows in the Temporal UI. */
export const fulfilmentWorkflowId = (rewardCode: string, redemptionId: string) => `reward-fulfilment-${rewardCode}-${redemptionId}`;

export function temporalFulfilment(
  client: Client,
  taskQueue: string,
  timing: Pick<RewardFulfilmentInput, 'pollEvery' | 'giveUpAfter'> = { pollEvery: '1 hour', giveUpAfter: '14 days' },
): FulfilmentControl {
  return {
    async start({ id, rewardCode }) {
      await client.workflow.start('rewardFulfilmentWorkflow', {
        taskQueue,
        workflowId: fulfilmentWorkflowId(rewardCode, id),
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        args: [{ redemptionId: id, ...timing } satisfies RewardFulfilmentInput],
      });
    },
    async cancel({ id, rewardCode }, reason) {
      await client.workflow.getHandle(fulfilmentWorkflowId(rewardCode, id)).signal('cancelFulfilment', reason);
    },
  };
}
