import {
  BaseEntity,
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { bigintNumber } from './number-columns.js';

/** What ranks members: the points their events earned in the period, or their progress in a challenge's period. */
export const leaderboardMetrics = ['points_earned', 'challenge'] as const;
export type LeaderboardMetric = (typeof leaderboardMetrics)[number];

/** once: between its start and end dates; weekly (Monday first) and monthly: each calendar period in its time zone. */
export const leaderboardPeriods = ['once', 'weekly', 'monthly'] as const;
export type LeaderboardPeriod = (typeof leaderboardPeriods)[number];

export const leaderboardStatuses = ['draft', 'live', 'ended'] as const;
export type LeaderboardStatus = (typeof leaderboardStatuses)[number];

/** Points paid to the members placed `fromRank` to `toRank` (positions, 1 first) when a period closes. */
export interface LeaderboardPrize {
  fromRank: number;
  toRank: number;
  points: number;
}

/**
 * A ranking of members over each period, among everyone, a segment's members or a company's
 * employees. A partner's (partnerId set) counts only its own events and is private to it; the
 * program's counts events anywhere and every partner may read it. When a period ends it is frozen
 * and its prizes paid (workflows/leaderboard-close.workflow.ts).
 */
@Entity({ name: 'leaderboard' })
@Index('leaderboard_live', ['status'], { where: `"status" = 'live'` })
@Check('leaderboard_challenge_metric', `("metric" = 'challenge') = ("challengeId" IS NOT NULL)`)
export class Leaderboard extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'text' })
  metric: LeaderboardMetric;

  /** For `challenge`: the challenge whose progress ranks (its period and time zone are the leaderboard's). */
  @Column({ type: 'uuid', nullable: true })
  challengeId: string | null;

  @Column({ type: 'text' })
  period: LeaderboardPeriod;

  /** IANA time zone the periods are cut in. */
  @Column({ type: 'text', default: 'UTC' })
  timeZone: string;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  /** Required for `once`; a recurring leaderboard without it runs until ended. */
  @Column({ type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  /** Only members of this segment (at the event) rank. */
  @Column({ type: 'uuid', nullable: true })
  segmentId: string | null;

  /** Only this company's employees rank (B2B). */
  @Column({ type: 'uuid', nullable: true })
  companyId: string | null;

  @Column({ type: 'jsonb', default: [] })
  prizes: LeaderboardPrize[];

  /** Whose wallet pays the prizes: a partner, or the program's marketing account when null. */
  @Column({ type: 'uuid', nullable: true })
  fundingPartnerId: string | null;

  @Column({ type: 'text', default: 'draft' })
  status: LeaderboardStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * A member's score in one period of a leaderboard, kept up to date as events commit. The ranking
 * index `leaderboard_score_ranking` (leaderboardId, periodKey, score DESC, reachedAt, memberId) is
 * written in the migration (TypeORM cannot declare a descending column): the top N is an index scan.
 * A member's rank is read from `leaderboard_score_bucket`.
 */
@Entity({ name: 'leaderboard_score' })
@Index('leaderboard_score_ranking', { synchronize: false })
export class LeaderboardScore extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  leaderboardId: string;

  /** The period's key: `once`, `2026-W48`, `2026-11`. */
  @PrimaryColumn({ type: 'text' })
  periodKey: string;

  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  score: number;

  /** When the member reached this score: of equal scores, the earlier ranks first. */
  @Column({ type: 'timestamptz' })
  reachedAt: Date;
}

/**
 * How many members of one period hold a score in a range, kept by triggers on `leaderboard_score`
 * in the transaction of every change to it (1796085723081-LeaderboardScoreBuckets), so that a
 * member's rank is one more than a sum over a few of these rows instead of a count of every higher
 * score. Only scores above 0 count (the ranking leaves the others out).
 *
 * A radix tree of 8 levels of 256: the bucket (level, prefix) holds the scores whose bits above
 * the lowest 8 × level equal prefix (level 0: one score; level 1: 256 scores; ...). The scores
 * above s are those of the higher siblings of s's bucket at each level, so a rank reads at most 255
 * rows a level however many distinct scores there are. A bucket whose last 8 bits are 0 is never
 * such a sibling and is not kept: in particular no coarse bucket holds every low score, which every
 * new member would write. An emptied bucket stays at 0: deleting it would race with the next score
 * to land in it, for nothing (a rank still reads at most 255 rows a level).
 */
@Entity({ name: 'leaderboard_score_bucket' })
export class LeaderboardScoreBucket extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  leaderboardId: string;

  @PrimaryColumn({ type: 'text' })
  periodKey: string;

  @PrimaryColumn({ type: 'smallint' })
  level: number;

  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  prefix: number;

  @Column({ type: 'integer' })
  members: number;
}

/** What one event added to one leaderboard (points earned): an event counts once, however often it is counted. */
@Entity({ name: 'leaderboard_contribution' })
export class LeaderboardContribution extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  eventId: string;

  @PrimaryColumn({ type: 'uuid' })
  leaderboardId: string;

  @Column({ type: 'text' })
  periodKey: string;

  @Column({ type: 'uuid' })
  memberId: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  amount: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** One period of a leaderboard that has scores: its close workflow waits for `endsAt`, then freezes it and pays. */
@Entity({ name: 'leaderboard_round' })
@Unique('leaderboard_round_period', ['leaderboardId', 'periodKey'])
export class LeaderboardRound extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  leaderboardId: string;

  @Column({ type: 'text' })
  periodKey: string;

  @Column({ type: 'timestamptz' })
  endsAt: Date;

  /** Set when the final ranking was copied into `leaderboard_standing`: later events no longer change it. */
  @Column({ type: 'timestamptz', nullable: true })
  frozenAt: Date | null;

  /** The leaderboard's prizes as they were at the freeze, which are what the period pays (null until frozen). */
  @Column({ type: 'jsonb', nullable: true })
  prizes: LeaderboardPrize[] | null;
}

/** A member's place in a frozen period: the final ranking, and the prize it paid. */
@Entity({ name: 'leaderboard_standing' })
@Index('leaderboard_standing_member', ['memberId'])
@Check('leaderboard_standing_position_positive', '"position" > 0')
export class LeaderboardStanding extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  roundId: string;

  /** 1, 2, 3, ... in ranking order: equal scores in the order they were reached. */
  @PrimaryColumn({ type: 'integer' })
  position: number;

  @Column({ type: 'uuid' })
  memberId: string;

  /** Standard competition ranking: equal scores share a rank (1, 2, 2, 4). */
  @Column({ type: 'integer' })
  rank: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  score: number;

  @Column({ type: 'timestamptz' })
  reachedAt: Date;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  prizePoints: number;

  @Column({ type: 'uuid', nullable: true })
  prizeTransferId: string | null;
}

/** A member's yes to showing their display name on leaderboards; without it they show as an anonymous member. */
@Entity({ name: 'leaderboard_name_consent' })
export class LeaderboardNameConsent extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  givenAt: Date;
}
