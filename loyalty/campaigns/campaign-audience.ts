import { createHash } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import { Segment, type Campaign } from '../../entities/index.js';
import { inSegment } from '../segments/segment-query.js';

/** What the audiences need to know of the member, read only when a running campaign asks for it. */
interface AudienceFacts {
  enrolledAt: Date;
  lastEventAt?: Date | null;
  storeIds?: string[];
  /** The segments (ids) the member is in at this event. */
  segmentIds?: Set<string>;
}

/**
 * Whether the member is in the campaign's holdout: the same answer for one member and campaign
 * every time (a hash, not a draw), so the held-out share is a stable group to compare with.
 */
export function inHoldout(campaign: Pick<Campaign, 'id' | 'holdoutPercent'>, memberId: string): boolean {
  if (campaign.holdoutPercent <= 0) return false;
  const bucket = createHash('sha256').update(`${campaign.id}:${memberId}`).digest().readUInt32BE(0) % 100;
  return bucket < campaign.holdoutPercent;
}

function admits(campaign: Campaign, facts: AudienceFacts, at: Date): boolean {
  const { audience } = campaign;
  switch (audience.kind) {
    case 'everyone':
    case 'tiers': // in the mechanism's scope
      return true;
    case 'partners':
      return (facts.storeIds ?? []).some((id) => audience.partnerIds.includes(id));
    case 'new_members':
      return at.getTime() - facts.enrolledAt.getTime() <= audience.withinDays * 86_400_000;
    case 'inactive':
      return !facts.lastEventAt || at.getTime() - facts.lastEventAt.getTime() >= audience.days * 86_400_000;
    case 'segment':
      return facts.segmentIds?.has(audience.segmentId) ?? false;
  }
}

/**
 * The mechanisms (rules, boosters, bonuses) of running campaigns this member is not for, at this
 * event: outside the audience, or in the holdout.
 */
export async function campaignExclusions(
  manager: EntityManager,
  campaigns: Campaign[],
  member: { id: string; enrolledAt: Date },
  at: Date,
): Promise<Set<string>> {
  const selective = campaigns.filter((c) => c.holdoutPercent > 0 || !['everyone', 'tiers'].includes(c.audience.kind));
  if (selective.length === 0) return new Set();
  const facts: AudienceFacts = { enrolledAt: member.enrolledAt };
  if (selective.some((c) => c.audience.kind === 'inactive')) {
    const [row] = await manager.query(`SELECT max("occurredAt") AS last FROM member_event WHERE "memberId" = $1 AND "occurredAt" < $2`, [
      member.id,
      at,
    ]);
    facts.lastEventAt = row?.last ? new Date(row.last) : null;
  }
  if (selective.some((c) => c.audience.kind === 'partners')) {
    const rows: { partnerId: string }[] = await manager.query(`SELECT DISTINCT "partnerId" FROM member_link WHERE "memberId" = $1`, [
      member.id,
    ]);
    facts.storeIds = rows.map((r) => r.partnerId);
  }
  const segmentIds = selective.flatMap((c) => (c.audience.kind === 'segment' ? [c.audience.segmentId] : []));
  if (segmentIds.length > 0) {
    // Evaluated now, as the event is recorded: a segment is live, never a snapshot.
    facts.segmentIds = new Set();
    for (const segment of await manager.findBy(Segment, { id: In([...new Set(segmentIds)]) }))
      if (await inSegment(manager, segment.conditions, member.id, at)) facts.segmentIds.add(segment.id);
  }
  return new Set(selective.filter((c) => inHoldout(c, member.id) || !admits(c, facts, at)).map((c) => c.mechanismId));
}
