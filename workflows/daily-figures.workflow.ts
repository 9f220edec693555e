import { proxyActivities } from '@temporalio/workflow';
import type { ReportActivities } from './activities/report-activities.js';

const { refreshDailyFigures } = proxyActivities<ReportActivities>({
  // The first run computes every day of the ledger: minutes on a large program.
  startToCloseTimeout: '1 hour',
  // It heartbeats while it counts: a worker lost mid-run is noticed in a minute, and the next one counts again.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Counts into the daily figures what the ledger wrote since the last run; returns the figure rows written. */
export async function dailyFiguresWorkflow(): Promise<number> {
  return refreshDailyFigures();
}
