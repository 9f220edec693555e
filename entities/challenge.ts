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
import { bigintNumber } from './number-columns.js';

/** What a challenge counts from a member's purchases; `referrals`: friends they referred whose qualifying purchase committed. */
export const challengeMetrics = ['purchase_count', 'spend', 'distinct_partners', 'referrals'] as const;
export type ChallengeMetric = (typeof challengeMetrics)[number];

/** once: between its start and end dates; weekly (Monday first) and monthly: each calendar period in its time zone. */
export const challengePeriods = ['once', 'weekly', 'monthly'] as const;
export type ChallengePeriod = (typeof challengePeriods)[number];

export const challengeStatuses = ['draft', 'live', 'ended'] as const;
export type ChallengeStatus = (typeof challengeStatuses)[number];

/**
 * A goal over a period: reach `target` of `metric` from purchases within one period, and the
 * reward is paid once per member and period. A partner's challenge (partnerId set) is private to
 * it and counts only its own purchases; the program's (partnerId null) counts purchases anywhere.
 */
@Entity({ name: 'challenge' })
@Check('challenge_target_positive', '"target" > 0')
@Check('challenge_reward_positive', '"rewardPoints" > 0')
@Index('challenge_live', ['status'], { where: `"status" = 'live'` })
export class Challenge extends BaseEntity {
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
  metric: ChallengeMetric;

  /** For `spend`: only lines of this category count (whole amounts when null). */
  @Column({ type: 'text', nullable: true })
  category: string | null;

  /** Purchases, minor units of the program's currency, partners, or friends referred, by metric. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  target: number;

  @Column({ type: 'text' })
  period: ChallengePeriod;

  /** IANA time zone the periods are cut in. */
  @Column({ type: 'text', default: 'UTC' })
  timeZone: string;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  /** Required for `once`; a recurring challenge without it runs until ended. */
  @Column({ type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  /** Only members of this segment (at the purchase) take part; everyone when null. */
  @Column({ type: 'uuid', nullable: true })
  segmentId: string | null;

  @Column({ type: 'bigint', transformer: bigintNumber })
  rewardPoints: number;

  /** Whose wallet pays the reward: a partner, or the program's marketing account when null. */
  @Column({ type: 'uuid', nullable: true })
  fundingPartnerId: string | null;

  @Column({ type: 'text', default: 'draft' })
  status: ChallengeStatus;

  /** A badge the member earns on completion too (see engagement/badge-awards.ts), or none. */
  @Column({ type: 'uuid', nullable: true })
  badgeId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** A member's count towards a challenge in one period; `completedAt` once the reward was paid. */
@Entity({ name: 'challenge_progress' })
@Index('challenge_progress_member', ['memberId'])
export class ChallengeProgress extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  challengeId: string;

  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  /** The period's key: `once`, `2026-W48`, `2026-11`. */
  @PrimaryColumn({ type: 'text' })
  periodKey: string;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  value: number;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** The reward's ledger transfer. */
  @Column({ type: 'uuid', nullable: true })
  rewardTransferId: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** What one event added to one challenge: an event counts once per challenge, however often it is counted. */
@Entity({ name: 'challenge_contribution' })
@Index('challenge_contribution_progress', ['challengeId', 'memberId', 'periodKey'])
export class ChallengeContribution extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  eventId: string;

  @PrimaryColumn({ type: 'uuid' })
  challengeId: string;

  @Column({ type: 'uuid' })
  memberId: string;

  @Column({ type: 'text' })
  periodKey: string;

  @Column({ type: 'uuid' })
  partnerId: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  amount: number;

  /** When a refund (or, for a referral, a merge showing a self-referral) took it back. */
  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
