import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Campaign } from '../../entities/index.js';
import { queueProcess } from '../outbox.js';
import { pauseCampaign } from './campaigns.js';

/** Points left in a campaign's budget, by the id of the rule, booster or bonus that runs it. */
export type BudgetsLeft = Record<string, number>;

/**
 * Locks the budgets of the campaigns behind these mechanisms (those with a budget), in id order,
 * for the rest of the caller's transaction: concurrent events spend one after the other, so no
 * budget is ever overspent. Members are locked before (the ledger's order).
 */
export async function lockCampaignBudgets(manager: EntityManager, mechanismIds: string[]): Promise<BudgetsLeft> {
  if (mechanismIds.length === 0) return {};
  const rows: { mechanismId: string; left: string }[] = await manager.query(
    `SELECT "mechanismId", "budgetPoints" - "spentPoints" AS left FROM campaign
      WHERE "mechanismId" = ANY($1::uuid[]) AND "budgetPoints" IS NOT NULL ORDER BY id FOR UPDATE`,
    [mechanismIds],
  );
  return Object.fromEntries(rows.map((row) => [row.mechanismId, Number(row.left)]));
}

/**
 * Counts what the campaigns gave (by mechanism id) against their budgets, in the caller's
 * transaction; a campaign whose budget is spent pauses itself and its owner is told once this commits.
 */
export async function spendCampaignBudgets(
  manager: EntityManager,
  spent: Record<string, number>,
  /** Mechanisms whose budget had too little left for what they give whole (a bonus): spent too. */
  starved: string[] = [],
): Promise<void> {
  const exhausted = new Set(starved);
  for (const [mechanismId, points] of Object.entries(spent)) {
    if (points <= 0) continue;
    // An UPDATE … RETURNING answers [rows, count].
    const [[row]]: [{ exhausted: boolean }[], number] = await manager.query(
      `UPDATE campaign SET "spentPoints" = "spentPoints" + $2 WHERE "mechanismId" = $1
       RETURNING "budgetPoints" IS NOT NULL AND "spentPoints" >= "budgetPoints" AS exhausted`,
      [mechanismId, points],
    );
    if (row?.exhausted) exhausted.add(mechanismId);
  }
  for (const mechanismId of exhausted) {
    const campaign = await manager.findOneBy(Campaign, { mechanismId });
    if (!campaign || campaign.status !== 'running') continue;
    await pauseCampaign(manager, campaign.id, 'its budget is spent');
    await queueProcess(manager, 'campaign_notice', randomUUID(), { campaignId: campaign.id, notice: 'budget_spent' });
  }
}

/** Who hears about a campaign: its partner's contact, or the operator for the operator's own. */
export async function campaignOwnerContact(
  manager: EntityManager,
  campaignId: string,
  operatorEmail: string,
): Promise<{ to: string; ownerName: string; campaignName: string; budgetPoints: number | null; spentPoints: number }> {
  const campaign = await manager.findOneByOrFail(Campaign, { id: campaignId });
  const [partner]: { name: string; contactEmail: string | null }[] = campaign.ownerPartnerId
    ? await manager.query(`SELECT name, "contactEmail" FROM partner WHERE id = $1`, [campaign.ownerPartnerId])
    : [];
  return {
    to: partner?.contactEmail ?? operatorEmail,
    ownerName: partner?.name ?? 'the program',
    campaignName: campaign.name,
    budgetPoints: campaign.budgetPoints,
    spentPoints: campaign.spentPoints,
  };
}
