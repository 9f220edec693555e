import { proxyActivities } from '@temporalio/workflow';
import type { ChallengeActivities } from './activities/challenge-activities.js';

const { countChallengeProgress } = proxyActivities<ChallengeActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Started from the outbox when a purchase that a live challenge could count committed: counts it
 * and pays what it completes. Idempotent by the event (its contributions) and by the reward's key.
 */
export async function challengeProgressWorkflow(eventId: string): Promise<number> {
  const counted = await countChallengeProgress(eventId);
  return counted.filter((c) => c.outcome === 'completed').length;
}
