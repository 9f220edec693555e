import type { EntityManager } from 'typeorm';
import { Badge, type BadgeRule } from '../../entities/index.js';
import { purchaseRecord, ruleProgress } from './badge-awards.js';

/** Who looks: a partner through the API (the program's badges and its own), or the member (all of theirs). */
export type BadgeViewer = { partnerId: string } | 'member';

export interface EarnedBadge {
  id: string;
  name: string;
  description: string;
  owner: 'program' | 'partner';
  emblem: string;
  colour: string;
  rule: BadgeRule;
  awardedAt: Date;
  /** The challenge whose completion awarded it, if one did. */
  challengeId: string | null;
}

/** A badge the member can still earn by its rule, and how far they are. */
export interface BadgeToEarn {
  id: string;
  name: string;
  description: string;
  emblem: string;
  rule: BadgeRule;
  progress: number;
  target: number;
}

/** The badges a member earned that the viewer may see, newest first. */
export async function earnedBadges(manager: EntityManager, memberId: string, viewer: BadgeViewer): Promise<EarnedBadge[]> {
  const rows: (Badge & { awardedAt: Date; challengeId: string | null })[] = await manager.query(
    `SELECT b.id, b.name, b.description, b."partnerId", b.emblem, b.colour, b.rule, mb."awardedAt", mb."challengeId"
       FROM member_badge mb JOIN badge b ON b.id = mb."badgeId"
      WHERE mb."memberId" = $1 AND ($2::uuid IS NULL OR b."partnerId" IS NULL OR b."partnerId" = $2)
      ORDER BY mb."awardedAt" DESC, b.name`,
    [memberId, viewer === 'member' ? null : viewer.partnerId],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    owner: r.partnerId === null ? 'program' : 'partner',
    emblem: r.emblem,
    colour: r.colour,
    rule: r.rule,
    awardedAt: new Date(r.awardedAt),
    challengeId: r.challengeId,
  }));
}

/** The program's live badges the member has not earned yet that a rule awards, with their progress. */
export async function badgesToEarn(manager: EntityManager, memberId: string): Promise<BadgeToEarn[]> {
  const open: Badge[] = await manager.query(
    `SELECT b.* FROM badge b WHERE b.status = 'live' AND b."partnerId" IS NULL AND b.rule <> 'challenge'
        AND NOT EXISTS (SELECT 1 FROM member_badge mb WHERE mb."badgeId" = b.id AND mb."memberId" = $1)
      ORDER BY b.threshold NULLS FIRST, b.name`,
    [memberId],
  );
  if (open.length === 0) return [];
  const record = await purchaseRecord(manager, memberId, null);
  return open.map((b) => {
    const { value, target } = ruleProgress(b, record)!;
    return {
      id: b.id,
      name: b.name,
      description: b.description,
      emblem: b.emblem,
      rule: b.rule,
      progress: Math.min(value, target),
      target,
    };
  });
}
