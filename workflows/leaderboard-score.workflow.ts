import { proxyActivities } from '@temporalio/workflow';
import type { LeaderboardActivities } from './activities/leaderboard-activities.js';

const { scoreLeaderboards } = proxyActivities<LeaderboardActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Started from the outbox when an event a live leaderboard could rank committed: adds its points (once per event and leaderboard). */
export async function leaderboardScoreWorkflow(eventId: string): Promise<number> {
  const scored = await scoreLeaderboards(eventId);
  return scored.filter((s) => s.outcome === 'scored').length;
}
