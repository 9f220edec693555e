import { proxyActivities } from '@temporalio/workflow';
import type { CampaignActivities } from './activities/campaign-activities.js';
import { emailActivityOptions } from './email-retry.js';

const { tellCampaignOwner } = proxyActivities<CampaignActivities>(emailActivityOptions);

export interface CampaignNoticeInput {
  campaignId: string;
  notice: 'budget_spent';
}

/** Tells a campaign's owner what the campaign did by itself (its budget spent, so it paused). */
export async function campaignNoticeWorkflow(input: CampaignNoticeInput): Promise<string> {
  return tellCampaignOwner(input.campaignId, input.notice);
}
