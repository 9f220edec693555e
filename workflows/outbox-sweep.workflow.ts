import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { OutboxActivities } from './activities/outbox-activities.js';

const { dispatchOutbox } = proxyActivities<OutboxActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** The outbox sweep (scheduled every minute): starts every process queued by a commit and not started. */
export async function outboxSweepWorkflow(): Promise<number> {
  return dispatchOutbox();
}

/**
 * For workflows whose steps queue processes (webhooks): start them now rather than at the next
 * sweep. A failure here must not fail the caller's business outcome; the sweep retries what is left.
 */
export async function startQueuedProcesses(): Promise<void> {
  try {
    await dispatchOutbox();
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
  }
}
