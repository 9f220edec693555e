import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Bonus, Booster, Campaign, EarningRule, type CampaignStatus } from '../../entities/index.js';
import { programSettings } from '../earning/program-settings.js';
import { queueProcess } from '../outbox.js';
import { Refusal } from '../refusal.js';
import { guardrailProblems } from './campaign-guardrails.js';
import { mechanismKindOf, mechanismOf, type MechanismKind } from './campaign-mechanism.js';
import { campaignProblems, type CampaignDraft } from './campaign-problems.js';

/** A campaign the program will not save or move as asked; `problems` names each field. */
export class CampaignRefusedError extends Refusal {
  constructor(field: string | undefined, reason: string, problems: Record<string, string> = {}) {
    super('campaign_refused', reason, field, { problems });
  }
}

const mechanismEntity = { rule: EarningRule, booster: Booster, bonus: Bonus } as const satisfies Record<MechanismKind, unknown>;

/** Brings the campaign's earning rule, booster or bonus in step with the campaign as it stands. */
async function syncMechanism(manager: EntityManager, campaign: Campaign): Promise<void> {
  const mechanism = mechanismOf(campaign);
  if (!mechanism) throw new CampaignRefusedError('reward', 'this trigger and reward make no campaign');
  await manager.update(mechanismEntity[mechanism.kind], { id: campaign.mechanismId }, mechanism.fields as never);
}

async function refuseProblems(manager: EntityManager, draft: CampaignDraft, now: Date, isNew = false): Promise<void> {
  const problems = {
    ...(await guardrailProblems(manager, draft, await programSettings(manager))),
    ...(await campaignProblems(manager, draft, now, isNew)),
  };
  const [field, reason] = Object.entries(problems)[0] ?? [];
  if (field) throw new CampaignRefusedError(field, reason!, problems);
}

/** Saves a new campaign as a draft, with its mechanism (inactive until it runs). */
export async function createCampaign(manager: EntityManager, draft: CampaignDraft, createdBy: string, now = new Date()): Promise<Campaign> {
  await refuseProblems(manager, draft, now, true);
  const campaign = manager.create(Campaign, {
    ...draft,
    name: draft.name.trim(),
    status: 'draft',
    statusReason: null,
    spentPoints: 0,
    mechanismId: randomUUID(),
    createdBy,
  });
  const mechanism = mechanismOf(campaign)!;
  await manager.insert(mechanismEntity[mechanism.kind], { id: campaign.mechanismId, ...mechanism.fields } as never);
  await manager.insert(Campaign, campaign);
  return campaign;
}

/**
 * Changes a draft (or a paused campaign's terms, but for a partner's that the operator approved);
 * a running campaign is paused first, so nobody earns from half an edit. Its owner stays whoever
 * made it, whatever the draft says.
 */
export async function updateCampaign(manager: EntityManager, id: string, sent: CampaignDraft, now = new Date()): Promise<Campaign> {
  const campaign = await lockCampaign(manager, id);
  if (!['draft', 'paused'].includes(campaign.status)) {
    throw new CampaignRefusedError(undefined, `it is ${statusWords[campaign.status]}: pause it to change it`);
  }
  if (campaign.status !== 'draft' && (await approvedAsIs(manager, campaign))) {
    throw new CampaignRefusedError(undefined, 'the operator approved it as it is: end it and make a new campaign to change it');
  }
  const draft = { ...sent, ownerPartnerId: campaign.ownerPartnerId };
  await refuseProblems(manager, draft, now);
  if (mechanismKindOf(campaign) !== mechanismKindOf(draft)) {
    throw new CampaignRefusedError('reward', 'a campaign keeps its kind of reward: make a new campaign for another kind');
  }
  Object.assign(campaign, draft, { name: draft.name.trim() });
  if (campaign.budgetPoints !== null && campaign.spentPoints > campaign.budgetPoints) {
    throw new CampaignRefusedError('budgetPoints', `${campaign.spentPoints} points were given already: the budget cannot be less`);
  }
  await manager.save(campaign);
  await syncMechanism(manager, campaign);
  return campaign;
}

/** Where a campaign stands, in words. */
export const statusWords: Record<CampaignStatus, string> = {
  draft: 'a draft',
  awaiting_approval: 'waiting for the operator’s approval',
  scheduled: 'scheduled',
  running: 'running',
  paused: 'paused',
  ended: 'ended',
};

async function lockCampaign(manager: EntityManager, id: string): Promise<Campaign> {
  const campaign = await manager.findOne(Campaign, { where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!campaign) throw new Refusal('campaign_not_found', 'no such campaign', 'campaign');
  return campaign;
}

/** Running now, or scheduled for its start. */
const liveStatus = (campaign: Pick<Campaign, 'startsAt'>, now: Date): CampaignStatus =>
  campaign.startsAt && campaign.startsAt > now ? 'scheduled' : 'running';

/** Runs it from its start (at once without one) until its end: its lifecycle workflow starts when this commits. */
async function putLive(manager: EntityManager, campaign: Campaign, now: Date): Promise<Campaign> {
  Object.assign(campaign, { status: liveStatus(campaign, now), statusReason: null, approvalRequestId: null });
  await manager.save(campaign);
  await syncMechanism(manager, campaign);
  await queueProcess(manager, 'campaign_lifecycle', campaign.id, {});
  return campaign;
}

/**
 * Schedules a draft: it runs from its start until its end, the transitions made by its lifecycle
 * workflow. A partner's campaign is checked against the operator's guardrails again (they may have
 * changed since it was saved) and, when they say so, waits for the operator's approval first (a
 * process started when this commits). Scheduling a campaign that is waiting, scheduled, running
 * or ended already changes nothing.
 */
export async function scheduleCampaign(
  manager: EntityManager,
  id: string,
  now = new Date(),
  requestedBy = 'the program',
): Promise<Campaign> {
  const campaign = await lockCampaign(manager, id);
  if (campaign.status !== 'draft') return campaign;
  if (campaign.endsAt && campaign.endsAt <= now) throw new CampaignRefusedError('endsAt', 'its end has passed: change the dates');
  if (!campaign.ownerPartnerId) return putLive(manager, campaign, now);
  const settings = await programSettings(manager);
  const problems = await guardrailProblems(manager, campaign, settings);
  const [field, reason] = Object.entries(problems)[0] ?? [];
  if (field) throw new CampaignRefusedError(field, reason!, problems);
  if (!settings.partnerCampaignsNeedApproval) return putLive(manager, campaign, now);
  Object.assign(campaign, {
    status: 'awaiting_approval',
    statusReason: null,
    approvalRequestId: randomUUID(),
    approvalRequestedBy: requestedBy,
  });
  await manager.save(campaign);
  await queueProcess(manager, 'campaign_approval', campaign.approvalRequestId!, { campaignId: campaign.id });
  return campaign;
}

/** An operator's answer to a partner campaign waiting for approval. */
export interface CampaignDecision {
  approved: boolean;
  /** The operator staff member's email. */
  by: string;
  /** Why it is rejected, shown to the partner. */
  reason?: string | null;
}

/** Refuses a decision nobody may take: on a campaign not waiting, or by the one who asked (four eyes). */
export async function checkCampaignDecision(manager: EntityManager, id: string, by: string): Promise<Campaign> {
  const campaign = await manager.findOneBy(Campaign, { id });
  if (!campaign) throw new Refusal('campaign_not_found', 'no such campaign', 'campaign');
  if (campaign.status !== 'awaiting_approval')
    throw new CampaignRefusedError(undefined, `it is ${statusWords[campaign.status]}, not waiting`);
  if (campaign.approvalRequestedBy?.toLowerCase() === by.toLowerCase() || campaign.createdBy.toLowerCase() === by.toLowerCase())
    throw new Refusal('not_allowed', 'the one who asked for a campaign’s approval cannot approve or reject it');
  return campaign;
}

/**
 * Applies an operator's decision on the approval request `requestId`: approved, the campaign is
 * scheduled (its lifecycle starts when this commits); rejected, it is a draft again with the reason.
 * A decision by the requester is not allowed; one on a request answered already changes nothing.
 */
export async function decideCampaignApproval(
  manager: EntityManager,
  id: string,
  requestId: string,
  decision: CampaignDecision,
  now = new Date(),
): Promise<'approved' | 'rejected' | 'not_allowed' | 'already_decided'> {
  const campaign = await lockCampaign(manager, id);
  if (campaign.status !== 'awaiting_approval' || campaign.approvalRequestId !== requestId) return 'already_decided';
  const by = decision.by.toLowerCase();
  if (campaign.approvalRequestedBy?.toLowerCase() === by || campaign.createdBy.toLowerCase() === by) return 'not_allowed';
  if (decision.approved && !(campaign.endsAt && campaign.endsAt <= now)) {
    await putLive(manager, campaign, now);
    return 'approved';
  }
  const why = decision.approved ? 'its end passed before it was approved' : decision.reason?.trim() || 'no reason given';
  Object.assign(campaign, { status: 'draft', statusReason: `not approved by ${decision.by}: ${why}`, approvalRequestId: null });
  await manager.save(campaign);
  return 'rejected';
}

/** Pauses a scheduled or running campaign: nothing more is earned from it until it resumes. */
export async function pauseCampaign(manager: EntityManager, id: string, reason: string | null = null): Promise<Campaign> {
  const campaign = await lockCampaign(manager, id);
  if (campaign.status !== 'running' && campaign.status !== 'scheduled') return campaign;
  Object.assign(campaign, { status: 'paused', statusReason: reason });
  await manager.save(campaign);
  await syncMechanism(manager, campaign);
  return campaign;
}

/** What the operator approved is what runs: a partner's campaign that ran is changed by making a new one. */
async function approvedAsIs(manager: EntityManager, campaign: Campaign): Promise<boolean> {
  return !!campaign.ownerPartnerId && (await programSettings(manager)).partnerCampaignsNeedApproval;
}

/** Resumes a paused campaign, unless its budget is spent or its end has passed. */
export async function resumeCampaign(manager: EntityManager, id: string, now = new Date()): Promise<Campaign> {
  const campaign = await lockCampaign(manager, id);
  if (campaign.status !== 'paused') return campaign;
  if (campaign.budgetPoints !== null && campaign.spentPoints >= campaign.budgetPoints) {
    const next = (await approvedAsIs(manager, campaign))
      ? 'the operator approved it as it is, so make a new campaign to go on'
      : 'raise the budget to resume it';
    throw new CampaignRefusedError('budgetPoints', `its budget is spent: ${next}`);
  }
  if (campaign.endsAt && campaign.endsAt <= now) throw new CampaignRefusedError('endsAt', 'its end has passed');
  Object.assign(campaign, { status: liveStatus(campaign, now), statusReason: null });
  await manager.save(campaign);
  await syncMechanism(manager, campaign);
  return campaign;
}

/**
 * Ends a campaign for good. One that had started ends now, whatever end it had planned: its window
 * (what its results measure, what its page shows) closes when it stopped.
 */
export async function endCampaign(manager: EntityManager, id: string, reason: string | null = null, now = new Date()): Promise<Campaign> {
  const campaign = await lockCampaign(manager, id);
  if (campaign.status === 'ended') return campaign;
  const started = !campaign.startsAt || campaign.startsAt <= now;
  const endsAt = started && (!campaign.endsAt || campaign.endsAt > now) ? now : campaign.endsAt;
  Object.assign(campaign, { status: 'ended', statusReason: reason, endsAt });
  await manager.save(campaign);
  await syncMechanism(manager, campaign);
  return campaign;
}

/**
 * The lifecycle's clock: starts a scheduled campaign whose start came, ends one whose end came,
 * and says when to look again (null: no transition left to wait for).
 */
export async function advanceCampaign(
  manager: EntityManager,
  id: string,
  now = new Date(),
): Promise<{ status: CampaignStatus; next: Date | null }> {
  const campaign = await lockCampaign(manager, id);
  if (campaign.status === 'scheduled' && (!campaign.startsAt || campaign.startsAt <= now)) campaign.status = 'running';
  if ((campaign.status === 'running' || campaign.status === 'paused') && campaign.endsAt && campaign.endsAt <= now) {
    Object.assign(campaign, { status: 'ended', statusReason: 'its end came' });
  }
  await manager.save(campaign);
  await syncMechanism(manager, campaign);
  // A campaign paused before its start is looked at again then: resumed meanwhile, it is scheduled and starts.
  const pausedBeforeStart = campaign.status === 'paused' && campaign.startsAt !== null && campaign.startsAt > now;
  const next =
    campaign.status === 'scheduled' || pausedBeforeStart
      ? campaign.startsAt
      : campaign.status === 'running' || campaign.status === 'paused'
        ? campaign.endsAt
        : null;
  return { status: campaign.status, next };
}
