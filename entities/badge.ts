import {
  BaseEntity,
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** What earns a badge by itself; `challenge`: only a challenge that names it awards it. */
export const badgeRules = ['challenge', 'first_purchase', 'purchase_count', 'distinct_partners'] as const;
export type BadgeRule = (typeof badgeRules)[number];

export const badgeStatuses = ['draft', 'live', 'retired'] as const;
export type BadgeStatus = (typeof badgeStatuses)[number];

/** The emblems shipped with Tessera (engagement/emblems.ts draws them). */
export const badgeEmblems = ['star', 'heart', 'trophy', 'bag', 'compass', 'crown', 'flame', 'leaf'] as const;
export type BadgeEmblem = (typeof badgeEmblems)[number];

/**
 * A mark of achievement a member earns once: by its rule over their lifetime purchases, or by
 * completing a challenge that awards it. A partner's badge (partnerId set) is private to it and
 * counts only its own purchases; the program's counts purchases anywhere.
 */
@Entity({ name: 'badge' })
@Check('badge_threshold_positive', '"threshold" IS NULL OR "threshold" > 0')
@Check('badge_colour_hex', `"colour" ~ '^#[0-9a-f]{6}$'`)
@Index('badge_live', ['status'], { where: `"status" = 'live'` })
export class Badge extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  /** The partner that set it up (private to it), or null for the program's own. */
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'text' })
  emblem: BadgeEmblem;

  /** The emblem's colour, `#rrggbb` in lower case. */
  @Column({ type: 'text', default: '#c27c0e' })
  colour: string;

  @Column({ type: 'text' })
  rule: BadgeRule;

  /** Purchases or partners for `purchase_count` and `distinct_partners`; null otherwise. */
  @Column({ type: 'integer', nullable: true })
  threshold: number | null;

  @Column({ type: 'text', default: 'draft' })
  status: BadgeStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** A badge a member earned: one row per member and badge, whatever awards it again. */
@Entity({ name: 'member_badge' })
@Index('member_badge_member', ['memberId', 'awardedAt'])
export class MemberBadge extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  badgeId: string;

  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  @Column({ type: 'timestamptz' })
  awardedAt: Date;

  /** The purchase that earned it by its rule, or completed the challenge. */
  @Column({ type: 'uuid', nullable: true })
  eventId: string | null;

  /** The challenge whose completion awarded it. */
  @Column({ type: 'uuid', nullable: true })
  challengeId: string | null;
}
