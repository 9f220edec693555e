import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { attemptWebhook, giveUpWebhook } from '../../loyalty/webhooks.js';
import { temporalWebhooks, type WebhookRetry } from '../webhook-dispatch.js';

/** One delivery attempt per call (the workflow's retry policy is the backoff), and the outbox sweep. */
export function createWebhookActivities({ dataSource, retry }: { dataSource: DataSource; retry?: WebhookRetry }) {
  return {
    deliverWebhook: (deliveryId: string) => attemptWebhook(dataSource, deliveryId),
    giveUpWebhook: (deliveryId: string) => giveUpWebhook(dataSource, deliveryId),
    /** Starts the delivery workflows of what is queued, on this worker's task queue. */
    dispatchQueuedWebhooks(): Promise<number> {
      const { client, info } = Context.current();
      return temporalWebhooks({ client, taskQueue: info.taskQueue, dataSource, retry }).dispatchQueued();
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
