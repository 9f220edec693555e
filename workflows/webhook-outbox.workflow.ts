import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from './activities/webhook-activities.js';

const { dispatchQueuedWebhooks } = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** The outbox sweep (scheduled every minute): starts the delivery of every webhook queued and not started. */
export async function webhookOutboxWorkflow(): Promise<number> {
  return dispatchQueuedWebhooks();
}

/**
 * For workflows that queue webhooks: send them now rather than at the next sweep. A failure here
 * must not fail the caller's business outcome; the sweep retries what is left.
 */
export async function sendQueuedWebhooks(): Promise<void> {
  try {
    await dispatchQueuedWebhooks();
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
  }
}
