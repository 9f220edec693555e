import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { markWebhooksDispatched, undispatchedWebhooks } from '../loyalty/webhooks.js';
import type { WebhookDeliveryInput } from './webhook-delivery.workflow.js';

export type WebhookRetry = Omit<WebhookDeliveryInput, 'deliveryId'>;
export const defaultWebhookRetry: WebhookRetry = { firstRetryAfter: '30 seconds', maximumAttempts: 10 };

export const webhookDeliveryWorkflowId = (deliveryId: string) => `webhook-${deliveryId}`;

export interface TemporalWebhooksOptions {
  client: Client;
  taskQueue: string;
  dataSource: DataSource;
  retry?: WebhookRetry;
}

/**
 * Starts the delivery workflow of queued webhooks (one per delivery, under the delivery's id, so
 * that starting one twice is harmless) and marks them dispatched.
 */
export function temporalWebhooks({ client, taskQueue, dataSource, retry = defaultWebhookRetry }: TemporalWebhooksOptions) {
  async function dispatch(deliveryIds: string[]): Promise<void> {
    for (const deliveryId of deliveryIds) {
      try {
        await client.workflow.start('webhookDeliveryWorkflow', {
          taskQueue,
          workflowId: webhookDeliveryWorkflowId(deliveryId),
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [{ deliveryId, ...retry } satisfies WebhookDeliveryInput],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    }
    await markWebhooksDispatched(dataSource, deliveryIds);
  }

  return {
    dispatch,
    /**
     * Dispatches everything queued and not started yet: the webhooks that workflows queue, and
     * any the API queued but could not start (a crash between its commit and the start).
     */
    async dispatchQueued(batchSize = 200): Promise<number> {
      let dispatched = 0;
      for (;;) {
        const deliveryIds = await undispatchedWebhooks(dataSource, batchSize);
        await dispatch(deliveryIds);
        dispatched += deliveryIds.length;
        if (deliveryIds.length < batchSize) return dispatched;
      }
    },
  };
}
