import type { DataSource } from 'typeorm';
import { campaignOwnerContact } from '../../loyalty/campaigns/campaign-budgets.js';
import { advanceCampaign, decideCampaignApproval, type CampaignDecision } from '../../loyalty/campaigns/campaigns.js';
import { inTransaction } from '../../loyalty/ledger/transaction.js';
import { campaignBudgetSpentEmail } from '../../reports/campaign-emails.js';
import type { Mailer } from '../../reports/mailer.js';

export function createCampaignActivities({
  dataSource,
  mailer,
  operatorEmail,
  publicUrl,
}: {
  dataSource: DataSource;
  mailer: Mailer;
  operatorEmail: string;
  publicUrl: string;
}) {
  return {
    /** The campaign's transition due now, if any; when to look again, as an ISO instant (null: never). */
    async advanceCampaign(campaignId: string, now: string): Promise<{ status: string; next: string | null }> {
      const { status, next } = await inTransaction(dataSource, (manager) => advanceCampaign(manager, campaignId, new Date(now)));
      return { status, next: next?.toISOString() ?? null };
    },

    /** Applies an operator's decision on a partner campaign's approval request (see decideCampaignApproval). */
    async decideCampaignApproval(campaignId: string, requestId: string, decision: CampaignDecision): Promise<string> {
      return inTransaction(dataSource, (manager) => decideCampaignApproval(manager, campaignId, requestId, decision));
    },

    /** Emails the owner (the partner's contact, or the operator) what their campaign did. */
    async tellCampaignOwner(campaignId: string, notice: 'budget_spent'): Promise<string> {
      const contact = await campaignOwnerContact(dataSource.manager, campaignId, operatorEmail);
      await mailer.send(campaignBudgetSpentEmail({ ...contact, publicUrl, notice }));
      return `told ${contact.to}`;
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
