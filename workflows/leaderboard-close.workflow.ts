import { proxyActivities, sleep } from '@temporalio/workflow';
import type { LeaderboardActivities } from './activities/leaderboard-activities.js';

const { roundTiming, freezeLeaderboardRound, payLeaderboardPrizes } = proxyActivities<LeaderboardActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 hour' },
});

/**
 * Started from the outbox with a leaderboard period's first score (workflow
 * `leaderboard-close-<roundId>`): waits until the period ends in its time zone, freezes the final
 * ranking, then pays the prizes. Freezing twice changes nothing and each prize is keyed by
 * (leaderboard, period, place), so a retried or doubled run pays once.
 */
export async function leaderboardCloseWorkflow(roundId: string): Promise<{ standings: number; paid: number }> {
  const { endsAt } = await roundTiming(roundId);
  const wait = new Date(endsAt).getTime() - Date.now();
  if (wait > 0) await sleep(wait);
  const standings = await freezeLeaderboardRound(roundId, new Date().toISOString());
  const paid = await payLeaderboardPrizes(roundId);
  return { standings, paid };
}
