import type { DataSource } from 'typeorm';
import { attemptWebhook, giveUpWebhook } from '../../loyalty/webhooks.js';

/** One delivery attempt per call (the workflow's retry policy is the backoff), and giving up. */
export function createWebhookActivities({ dataSource }: { dataSource: DataSource }) {
  return {
    deliverWebhook: (deliveryId: string) => attemptWebhook(dataSource, deliveryId),
    giveUpWebhook: (deliveryId: string) => giveUpWebhook(dataSource, deliveryId),
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
