import type { Duration } from '@temporalio/common';
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from './activities/webhook-activities.js';

const { giveUpWebhook } = proxyActivities<WebhookActivities>({ startToCloseTimeout: '30 seconds' });

export interface WebhookDeliveryInput {
  deliveryId: string;
  /** First retry after this; each next one waits twice as long. */
  firstRetryAfter: Duration;
  maximumAttempts: number;
}

/** Delivers one webhook, retrying with exponential backoff; gives up after the last attempt. */
export async function webhookDeliveryWorkflow({
  deliveryId,
  firstRetryAfter,
  maximumAttempts,
}: WebhookDeliveryInput): Promise<'delivered' | 'failed'> {
  const { deliverWebhook } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: firstRetryAfter, backoffCoefficient: 2, maximumInterval: '6 hours', maximumAttempts },
  });
  try {
    // An endpoint deleted or disabled since the event was queued: the delivery is already failed.
    return (await deliverWebhook(deliveryId)) === 'delivered' ? 'delivered' : 'failed';
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    await giveUpWebhook(deliveryId);
    return 'failed';
  }
}
