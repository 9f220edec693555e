import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { fulfilmentStartedUnder } from '../loyalty/fulfilment/fulfilment.js';
import { workflowIds } from './process-dispatch.js';
import { cancelFulfilmentSignal, shipmentReportedSignal } from './reward-fulfilment.workflow.js';

/** What the back office and the supplier's callback may ask of a running fulfilment. */
export interface FulfilmentControl {
  /** A care agent cancels a redemption that has not shipped: the workflow cancels the order and gives the points back. */
  cancel(redemptionId: string, reason: string): Promise<void>;
  /**
   * A shipment or a failure was recorded: the workflow settles it now. A fulfilment that has ended
   * needs no telling (the report was reconciled when recorded).
   */
  shipmentReported(redemptionId: string): Promise<void>;
}

export function temporalFulfilmentControl(client: Client, dataSource: DataSource): FulfilmentControl {
  // The workflow's id is the one it was started with, whatever the reward is called today.
  async function handle(redemptionId: string) {
    const rewardCode = await fulfilmentStartedUnder(dataSource, redemptionId);
    if (rewardCode === undefined) throw new WorkflowNotFoundError(`No redemption ${redemptionId}`, redemptionId, undefined);
    return client.workflow.getHandle(workflowIds.rewardFulfilment(rewardCode, redemptionId));
  }
  return {
    async cancel(redemptionId, reason) {
      await (await handle(redemptionId)).signal(cancelFulfilmentSignal, reason);
    },
    async shipmentReported(redemptionId) {
      try {
        await (await handle(redemptionId)).signal(shipmentReportedSignal);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },
  };
}
