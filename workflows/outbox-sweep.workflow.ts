import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { OutboxActivities } from './activities/outbox-activities.js';

const activityTimeouts = { startToCloseTimeout: '5 minutes', heartbeatTimeout: '20 seconds' } as const;

/**
 * The sweep retries until the database and a worker are back (a run that fails is noise for the
 * operator, and the chaos test found three attempts spent while PostgreSQL restarted twice); its
 * schedule skips the minutes it overlaps.
 */
const sweep = proxyActivities<OutboxActivities>({
  ...activityTimeouts,
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** A workflow's own dispatch gives up soon: the sweep starts what is left. */
const { dispatchOutbox } = proxyActivities<OutboxActivities>({
  ...activityTimeouts,
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** The outbox sweep (scheduled every minute): starts every process queued by a commit and not started. */
export async function outboxSweepWorkflow(): Promise<number> {
  return sweep.dispatchOutbox();
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
