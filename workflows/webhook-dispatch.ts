import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { WebhookDeliveryInput } from './webhook-delivery.workflow.js';

/** Starts the delivery workflow of queued webhooks (one per delivery). */
export function temporalWebhooks(client: Client, taskQueue: string, retry: Omit<WebhookDeliveryInput, 'deliveryId'> = { firstRetryAfter: '30 seconds', maximumAttempts: 10 }) {
  return {
    async dispatch(deliveryIds: string[]): Promise<void> {
      for (const deliveryId of deliveryIds) {
        await client.workflow.start('webhookDeliveryWorkflow', {
          taskQueue,
          workflowId: `webhook-${deliveryId}`,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [{ deliveryId, ...retry } satisfies WebhookDeliveryInput],
        });
      }
    },
  };
}
