import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  Member,
  MessageCampaign,
  MessageCampaignRecipient,
  Segment,
  messageCampaignChannels,
  type MessageCampaignChannel,
  type MessageCampaignStatus,
} from '../../entities/index.js';
import { knownZone, zonedInstant, zonedLocal } from '../campaigns/zoned-time.js';
import { isUuid } from '../ids.js';
import { queueProcess, queuedDetails, requeueProcess } from '../outbox.js';
import { Refusal } from '../refusal.js';
import { segmentMemberIds } from '../segments/segment-query.js';

/** A message campaign as the back office sends it: plain strings, its time in wall-clock time of its zone. */
export interface MessageCampaignForm {
  name?: unknown;
  segmentId?: unknown;
  channel?: unknown;
  subject?: unknown;
  body?: unknown;
  sendAt?: unknown;
  timeZone?: unknown;
  ratePerMinute?: unknown;
  holdoutPercent?: unknown;
  returnWindowDays?: unknown;
}

export class MessageCampaignRefusedError extends Refusal {
  constructor(problems: Record<string, string>) {
    const [field, reason] = Object.entries(problems)[0]!;
    super('message_campaign_refused', reason, field, { problems });
  }
}

export class MessageCampaignNotCancellableError extends Refusal {
  constructor(status: string) {
    super(
      'message_campaign_not_cancellable',
      `a campaign ${status === 'cancelled' ? 'already cancelled' : 'that has started'} cannot be cancelled`,
      'status',
      {
        status,
      },
    );
  }
}

/** Where a campaign stands, as staff read it. */
export const messageCampaignStatusLabels: Record<MessageCampaignStatus, string> = {
  scheduled: 'scheduled: waiting for its time',
  sending: 'sending',
  sent: 'sent',
  cancelled: 'cancelled',
};

export const messageCampaignChannelLabels: Record<MessageCampaignChannel, string> = {
  email: 'Email',
  sms: 'Text message (SMS)',
};

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
function wholeNumber(value: unknown, min: number, max: number): number | null {
  const n = typeof value === 'number' ? value : Number(text(value));
  return text(String(value ?? '')) !== '' && Number.isInteger(n) && n >= min && n <= max ? n : null;
}

/** Reads and checks the form, naming each wrong field; `now` refuses a time already past. */
export async function readMessageCampaignForm(
  manager: EntityManager,
  form: MessageCampaignForm,
  now: Date,
): Promise<Omit<MessageCampaign, 'id' | 'createdAt' | 'createdBy' | 'status' | 'startedAt' | keyof import('typeorm').BaseEntity>> {
  const problems: Record<string, string> = {};
  const name = text(form.name);
  if (!name) problems.name = 'give the campaign a name';
  const segmentId = text(form.segmentId);
  const segment = isUuid(segmentId) ? await manager.findOneBy(Segment, { id: segmentId }) : null;
  if (!segment) problems.segmentId = 'choose a segment from the list';
  const channel = text(form.channel) as MessageCampaignChannel;
  if (!messageCampaignChannels.includes(channel)) problems.channel = 'choose email or SMS';
  const subject = text(form.subject);
  if (channel === 'email' && !subject) problems.subject = 'an email needs a subject';
  const body = text(form.body);
  if (!body) problems.body = 'write the message';
  else if (channel === 'sms' && body.length > 480) problems.body = 'a text message holds at most 480 characters';
  const timeZone = text(form.timeZone) || 'UTC';
  if (!knownZone(timeZone)) problems.timeZone = 'must be a time zone such as Europe/Amsterdam';
  const sendAt = zonedInstant(text(form.sendAt), timeZone);
  if (!sendAt && !problems.timeZone) problems.sendAt = 'a date and time, such as 2026-12-01T10:00';
  else if (sendAt && sendAt.getTime() < now.getTime() - 60_000) problems.sendAt = 'this time has passed';
  const ratePerMinute = wholeNumber(form.ratePerMinute, 1, 100_000);
  if (ratePerMinute === null) problems.ratePerMinute = 'a whole number of messages per minute, at least 1';
  const holdoutPercent = wholeNumber(form.holdoutPercent, 0, 90);
  if (holdoutPercent === null) problems.holdoutPercent = 'a whole percentage from 0 to 90';
  const returnWindowDays = wholeNumber(form.returnWindowDays, 1, 365);
  if (returnWindowDays === null) problems.returnWindowDays = 'a whole number of days from 1 to 365';
  if (Object.keys(problems).length > 0) throw new MessageCampaignRefusedError(problems);
  return {
    name,
    segmentId,
    channel,
    subject: channel === 'email' ? subject : '',
    body,
    sendAt: sendAt!,
    timeZone,
    ratePerMinute: ratePerMinute!,
    holdoutPercent: holdoutPercent!,
    returnWindowDays: returnWindowDays!,
  };
}

/** Saves a campaign and queues its workflow (it waits for its time), in the caller's transaction. */
export async function scheduleMessageCampaign(
  manager: EntityManager,
  form: MessageCampaignForm,
  createdBy: string,
  now = new Date(),
): Promise<MessageCampaign> {
  const draft = await readMessageCampaignForm(manager, form, now);
  const campaign = await manager.save(manager.create(MessageCampaign, { ...draft, createdBy, status: 'scheduled' }));
  await queueProcess(manager, 'message_campaign', campaign.id, { sendAt: campaign.sendAt.toISOString() });
  return campaign;
}

/**
 * Changes a campaign that has not started. Its workflow waits for the time it was queued with at
 * least, then for the campaign's time as it is after each change (the change queues a wake-up of the
 * workflow, sent after the commit): the time may move later than it was first queued for, not sooner
 * (cancel and schedule anew).
 */
export async function updateMessageCampaign(
  manager: EntityManager,
  id: string,
  form: MessageCampaignForm,
  now = new Date(),
): Promise<MessageCampaign> {
  const campaign = await manager.findOne(MessageCampaign, { where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!campaign) throw new MessageCampaignRefusedError({ id: 'no such campaign' });
  if (campaign.status !== 'scheduled')
    throw new MessageCampaignRefusedError({ status: `it is ${campaign.status}: only a scheduled campaign can be changed` });
  const draft = await readMessageCampaignForm(manager, form, now);
  const queued = await queuedDetails(manager, 'message_campaign', id);
  if (queued && draft.sendAt.getTime() < new Date(queued.sendAt).getTime())
    throw new MessageCampaignRefusedError({ sendAt: 'it can only move later: to send it sooner, cancel it and schedule a new one' });
  await manager.update(MessageCampaign, { id }, draft);
  await requeueProcess(manager, 'message_campaign', id);
  return manager.findOneByOrFail(MessageCampaign, { id });
}

/** Cancels a campaign that has not started: its workflow then finds it cancelled and sends nothing. */
export async function cancelMessageCampaign(manager: EntityManager, id: string): Promise<void> {
  const campaign = await manager.findOne(MessageCampaign, { where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!campaign) throw new MessageCampaignRefusedError({ id: 'no such campaign' });
  if (campaign.status !== 'scheduled') throw new MessageCampaignNotCancellableError(campaign.status);
  await manager.update(MessageCampaign, { id }, { status: 'cancelled' });
}

/** In the holdout when a hash of the campaign and the member falls under the share: the same every time it is drawn. */
export function inHoldout(campaignId: string, memberId: string, holdoutPercent: number): boolean {
  const digest = createHash('sha256').update(`${campaignId}:${memberId}`).digest();
  return digest.readUInt32BE(0) % 100 < holdoutPercent;
}

/** What a campaign's workflow finds at its time: started (or started before), cancelled, or moved later. */
export type CampaignStart = { outcome: 'started' } | { outcome: 'cancelled' } | { outcome: 'later'; sendAt: Date };

/**
 * Draws the audience once, at `at`: the segment's members then, each recorded with whether they are
 * in the holdout. Nothing when the campaign was cancelled or its time moved later. Drawing again adds
 * no one and changes nothing.
 */
export async function startMessageCampaign(dataSource: DataSource, campaignId: string, at: Date): Promise<CampaignStart> {
  return dataSource.transaction(async (manager) => {
    const campaign = await manager.findOne(MessageCampaign, { where: { id: campaignId }, lock: { mode: 'pessimistic_write' } });
    if (!campaign || campaign.status === 'cancelled') return { outcome: 'cancelled' };
    if (campaign.status !== 'scheduled') return { outcome: 'started' };
    if (campaign.sendAt.getTime() > at.getTime()) return { outcome: 'later', sendAt: campaign.sendAt };
    const segment = await manager.findOneBy(Segment, { id: campaign.segmentId });
    const memberIds = segment ? await segmentMemberIds(manager, segment.conditions, at) : [];
    for (let i = 0; i < memberIds.length; i += 1000) {
      const rows = memberIds.slice(i, i + 1000).map((memberId) => {
        const holdout = inHoldout(campaign.id, memberId, campaign.holdoutPercent);
        return { campaignId, memberId, holdout, status: holdout ? 'held_back' : 'pending' } as const;
      });
      await manager.createQueryBuilder().insert().into(MessageCampaignRecipient).values(rows).orIgnore().execute();
    }
    await manager.update(MessageCampaign, { id: campaignId }, { status: 'sending', startedAt: at });
    return { outcome: 'started' };
  });
}

/** Quiet hours in the member's own day: nothing is sent from 21:00 until 09:00. */
export const quietHours = { from: 21, until: 9 } as const;

/** When a message may reach a member at `at`: `at` itself, or 09:00 of their morning when it is their night. */
export function outsideQuietHours(at: Date, timeZone: string): Date {
  const zone = knownZone(timeZone) ? timeZone : 'UTC';
  const local = zonedLocal(at, zone);
  const hour = Number(local.slice(11, 13));
  if (hour >= quietHours.until && hour < quietHours.from) return at;
  const day = new Date(`${local.slice(0, 10)}T00:00Z`);
  if (hour >= quietHours.from) day.setUTCDate(day.getUTCDate() + 1);
  const morning = `${day.toISOString().slice(0, 10)}T${String(quietHours.until).padStart(2, '0')}:00`;
  return zonedInstant(morning, zone)!;
}

/** A recipient claimed for sending, with what is sent to them. */
export interface ClaimedRecipient {
  campaign: MessageCampaign;
  member: Member;
}

/**
 * Claims up to the campaign's rate of pending recipients whose time has come, holding those in
 * their quiet hours until their morning. A claimed recipient is never claimed again: a retry or a
 * restart sends nobody twice (one who was being sent when the process died stays `sending`).
 */
export async function claimCampaignBatch(dataSource: DataSource, campaignId: string, at: Date): Promise<ClaimedRecipient[]> {
  return dataSource.transaction(async (manager) => {
    const campaign = await manager.findOneByOrFail(MessageCampaign, { id: campaignId });
    const candidates: { memberId: string }[] = await manager.query(
      `SELECT r."memberId" FROM message_campaign_recipient r
        WHERE r."campaignId" = $1 AND r.status = 'pending' AND (r."heldUntil" IS NULL OR r."heldUntil" <= $2)
        ORDER BY r."memberId" LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [campaignId, at, campaign.ratePerMinute],
    );
    const claimed: ClaimedRecipient[] = [];
    for (const { memberId } of candidates) {
      const member = await manager.findOneByOrFail(Member, { id: memberId });
      const allowedAt = outsideQuietHours(at, member.timeZone);
      if (allowedAt > at) {
        await manager.update(MessageCampaignRecipient, { campaignId, memberId }, { heldUntil: allowedAt });
        continue;
      }
      await manager.update(MessageCampaignRecipient, { campaignId, memberId }, { status: 'sending' });
      claimed.push({ campaign, member });
    }
    return claimed;
  });
}

/** What became of one message: sent, refused by the relay, or not sent as the member asked. */
export type RecipientOutcome = { status: 'sent' } | { status: 'failed' | 'not_sent'; reason: string };

export async function recordRecipientOutcome(
  manager: EntityManager,
  campaignId: string,
  memberId: string,
  outcome: RecipientOutcome,
  at: Date,
) {
  await manager.update(
    MessageCampaignRecipient,
    { campaignId, memberId, status: 'sending' },
    outcome.status === 'sent' ? { status: 'sent', sentAt: at } : { status: outcome.status, reason: outcome.reason },
  );
}

/** How long until the next batch may go, or null when everyone is settled (the campaign is then sent). */
export async function nextCampaignBatchIn(manager: EntityManager, campaignId: string, at: Date, sentSome: boolean): Promise<number | null> {
  const [row] = await manager.query(
    `SELECT count(*)::int AS pending, min("heldUntil") FILTER (WHERE "heldUntil" > $2) AS "heldUntil",
            count(*) FILTER (WHERE "heldUntil" IS NULL OR "heldUntil" <= $2)::int AS ready
       FROM message_campaign_recipient WHERE "campaignId" = $1 AND status = 'pending'`,
    [campaignId, at],
  );
  if (row.pending === 0) {
    await manager.update(MessageCampaign, { id: campaignId, status: 'sending' }, { status: 'sent' });
    return null;
  }
  if (row.ready > 0) return sentSome ? 60_000 : 1_000;
  return Math.max(1_000, new Date(row.heldUntil).getTime() - at.getTime());
}
