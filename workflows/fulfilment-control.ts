import type { Client } from '@temporalio/client';
import { workflowIds } from './process-dispatch.js';
import { cancelFulfilmentSignal } from './reward-fulfilment.workflow.js';

/** What the back office may ask of a running fulfilment. */
export interface FulfilmentControl {
  /** A care agent cancels a redemption that has not shipped: the workflow gives the points back. */
  cancel(redemption: { id: string; rewardCode: string }, reason: string): Promise<void>;
}

export function temporalFulfilmentControl(client: Client): FulfilmentControl {
  return {
    async cancel({ id, rewardCode }, reason) {
      await client.workflow.getHandle(workflowIds.rewardFulfilment(rewardCode, id)).signal(cancelFulfilmentSignal, reason);
    },
  };
}
