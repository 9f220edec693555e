import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowIds } from './process-dispatch.js';
import { cancelFulfilmentSignal, shipmentReportedSignal } from './reward-fulfilment.workflow.js';

/** What the back office and the supplier's callback may ask of a running fulfilment. */
export interface FulfilmentControl {
  /** A care agent cancels a redemption that has not shipped: the workflow cancels the order and gives the points back. */
  cancel(redemption: { id: string; rewardCode: string }, reason: string): Promise<void>;
  /**
   * A shipment or a failure was recorded: the workflow settles it now. A fulfilment that has ended
   * needs no telling (the report was reconciled when recorded).
   */
  shipmentReported(redemption: { id: string; rewardCode: string }): Promise<void>;
}

export function temporalFulfilmentControl(client: Client): FulfilmentControl {
  const handle = ({ id, rewardCode }: { id: string; rewardCode: string }) =>
    client.workflow.getHandle(workflowIds.rewardFulfilment(rewardCode, id));
  return {
    async cancel(redemption, reason) {
      await handle(redemption).signal(cancelFulfilmentSignal, reason);
    },
    async shipmentReported(redemption) {
      try {
        await handle(redemption).signal(shipmentReportedSignal);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },
  };
}
