import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { FundingSource } from './funding-source.js';
import type { BonusGoal, BonusMoment } from './bonus.js';
import type { Rounding, RuleCaps } from './earning-rule.js';
import { bigintNumber } from './number-columns.js';
import type { SalesChannel } from './point-of-sale.js';

export const campaignStatuses = ['draft', 'awaiting_approval', 'scheduled', 'running', 'paused', 'ended'] as const;
/** Where a campaign stands; shown everywhere it is listed. */
export type CampaignStatus = (typeof campaignStatuses)[number];

/** Who the campaign is for. */
export type CampaignAudience =
  | { kind: 'everyone' }
  | { kind: 'tiers'; tierCodes: string[] }
  /** Members known to any of these stores (a link), wherever they buy. */
  | { kind: 'partners'; partnerIds: string[] }
  /** Members who joined at most this many days before the event. */
  | { kind: 'new_members'; withinDays: number }
  /** Members with no event for at least this many days before this one. */
  | { kind: 'inactive'; days: number }
  /** Members in a saved segment when the event is recorded (live, not a snapshot). */
  | { kind: 'segment'; segmentId: string };

/** What a member does that the campaign rewards. */
export type CampaignTrigger =
  | { kind: 'purchase_amount' }
  | { kind: 'product'; reference: string }
  | { kind: 'category'; category: string }
  | { kind: 'visit' }
  | { kind: 'action'; actionType: string }
  /** A key moment of the member's life in the program (a bonus). */
  | { kind: 'moment'; moment: BonusMoment; tierCode?: string | null; goal?: BonusGoal | null; inactivityDays?: number | null };

/** Where the trigger counts; absent or empty means everywhere. */
export interface CampaignPlaces {
  partnerIds?: string[] | null;
  channels?: SalesChannel[] | null;
  pointOfSaleIds?: string[] | null;
}

/** What the member gets. */
export type CampaignReward =
  /** Points per currency unit (amount, category) or per item (product). */
  | { kind: 'points_per_unit'; pointsPerUnit: number; rounding: Rounding }
  /** Points per visit or action. */
  | { kind: 'fixed_points'; points: number }
  /**
   * A booster: the points of the trigger multiplied; with `onSpend`, a product's or category's
   * share of what purchases earn by their amount too (campaigns made before had only the former).
   */
  | { kind: 'multiplier'; coefficient: number; onSpend?: boolean }
  /** Points at a key moment. */
  | { kind: 'bonus'; points: number };

/**
 * What a program manager or a partner sets up to give points: an owner, an audience, a trigger, a
 * reward, a schedule, a budget and caps, and where it stands. The earning engine runs it as one
 * earning rule, booster or bonus (`mechanismId`), which the campaign keeps in step with itself.
 */
@Entity({ name: 'campaign' })
@Check('campaign_budget_positive', '"budgetPoints" IS NULL OR "budgetPoints" > 0')
@Check('campaign_spent_within_budget', '"spentPoints" >= 0 AND ("budgetPoints" IS NULL OR "spentPoints" <= "budgetPoints")')
@Check('campaign_holdout_share', '"holdoutPercent" >= 0 AND "holdoutPercent" <= 50')
@Check('campaign_pending_days', '"pendingDays" IS NULL OR "pendingDays" BETWEEN 0 AND 90')
export class Campaign extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** The partner that runs it (and pays it); null: the operator. */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  ownerPartnerId: string | null;

  @Column({ type: 'text', default: 'draft' })
  status: CampaignStatus;

  /** Why it is paused or ended when the campaign did it itself (its budget spent), in words. */
  @Column({ type: 'text', nullable: true })
  statusReason: string | null;

  @Column({ type: 'jsonb' })
  audience: CampaignAudience;

  @Column({ type: 'jsonb' })
  trigger: CampaignTrigger;

  @Column({ type: 'jsonb', default: {} })
  places: CampaignPlaces;

  @Column({ type: 'jsonb' })
  reward: CampaignReward;

  /** Caps per member (and per event) on what the campaign gives. */
  @Column({ type: 'jsonb', default: {} })
  caps: RuleCaps;

  /** Of rules: `stack` adds to the others; `best_only` competes with the other best-only ones. Higher priority first. */
  @Column({ type: 'text', default: 'stack' })
  stacking: 'stack' | 'best_only';

  @Column({ type: 'integer', default: 0 })
  priority: number;

  /** The window, as instants; null: from when it is scheduled / with no end. */
  @Column({ type: 'timestamptz', nullable: true })
  startsAt: Date | null;

  /** Exclusive. */
  @Column({ type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  /** The time zone the owner set the window in (IANA), for showing it as they wrote it. */
  @Column({ type: 'text', default: 'UTC' })
  timeZone: string;

  /** Points the campaign may give in all; null: no budget. Spent, the campaign pauses itself. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  budgetPoints: number | null;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  spentPoints: number;

  /** Share of the audience (0–50 %) kept out, chosen by member, to measure what the campaign changes. */
  @Column({ type: 'integer', default: 0 })
  holdoutPercent: number;

  /** The earning rule, booster or bonus that runs it. */
  @Index({ unique: true })
  @Column({ type: 'uuid' })
  mechanismId: string;

  @Column({ type: 'text' })
  createdBy: string;

  /** The pending operator approval (a partner's campaign): its process's subject, and who asked (never the one who approves). */
  @Column({ type: 'uuid', nullable: true })
  approvalRequestId: string | null;

  @Column({ type: 'text', nullable: true })
  approvalRequestedBy: string | null;

  /** The budget that pays the campaign's points; null: the wallet of the partner where members earn. */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  fundingSourceId: string | null;

  @ManyToOne(() => FundingSource, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'fundingSourceId' })
  fundingSource?: FundingSource;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** Days the points it gives stay pending (its own return window); null: the program's. */
  @Column({ type: 'integer', nullable: true })
  pendingDays: number | null;
}
