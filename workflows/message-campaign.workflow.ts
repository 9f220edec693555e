import { condition, continueAsNew, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { MessageCampaignActivities } from './activities/message-campaign-activities.js';

const { startMessageCampaign, sendMessageCampaignBatch } = proxyActivities<MessageCampaignActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes' },
});

export interface MessageCampaignInput {
  campaignId: string;
  /** When it goes out (ISO 8601). */
  sendAt: string;
}

/** Staff changed the campaign's time: it wakes and waits for the time it has now. */
export const messageCampaignMovedSignal = defineSignal('messageCampaignMoved');

/** Batches before the history is carried over to a fresh run. */
const batchesPerRun = 500;

/**
 * A message campaign: waits for its time (asking again whenever staff change it), draws its audience
 * (nothing when it was cancelled), then sends a batch a minute, waking for members held by their
 * quiet hours, until everyone is settled. Activities read the workflow's clock, so quiet hours
 * follow Temporal's time.
 */
export async function messageCampaignWorkflow({ campaignId, sendAt }: MessageCampaignInput): Promise<'sent' | 'cancelled'> {
  let moved = false;
  setHandler(messageCampaignMovedSignal, () => void (moved = true));
  for (let time = sendAt; ;) {
    const wait = new Date(time).getTime() - Date.now();
    // A change of time wakes it to ask again: moved back sooner, it would otherwise wait for the later time.
    if (wait > 0) await condition(() => moved, wait);
    moved = false;
    const start = await startMessageCampaign(campaignId, new Date().toISOString());
    if (start === 'cancelled') return 'cancelled';
    if (start === 'started') break;
    time = start.later;
  }
  for (let batch = 0; batch < batchesPerRun; batch++) {
    const next = await sendMessageCampaignBatch(campaignId, new Date().toISOString());
    if (next === null) return 'sent';
    await sleep(next);
  }
  return continueAsNew<typeof messageCampaignWorkflow>({ campaignId, sendAt });
}
