import { proxyActivities, sleep } from '@temporalio/workflow';
import type { CampaignActivities } from './activities/campaign-activities.js';

const { advanceCampaign } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * A scheduled campaign's transitions: running at its start, ended at its end. Each wake reads the
 * campaign again (it may have been paused, resumed or ended meanwhile); its window bounds what is
 * earned to the instant whatever this workflow's delays.
 */
export async function campaignLifecycleWorkflow(campaignId: string): Promise<string> {
  for (;;) {
    // The workflow's clock decides (a timer that fired is "now"), whatever the activity's host says.
    const { status, next } = await advanceCampaign(campaignId, new Date().toISOString());
    if (!next) return status;
    const wait = new Date(next).getTime() - Date.now();
    if (wait > 0) await sleep(wait);
  }
}
