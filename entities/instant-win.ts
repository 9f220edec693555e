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

/** probability: each qualifying purchase wins with a chance; winning_times: the first purchase at or after each pre-drawn instant wins. */
export const instantWinModes = ['probability', 'winning_times'] as const;
export type InstantWinMode = (typeof instantWinModes)[number];

export const instantWinStatuses = ['draft', 'live', 'ended'] as const;
export type InstantWinStatus = (typeof instantWinStatuses)[number];

/**
 * won: the prize was paid; lost: the draw did not win; budget_spent: it would have won, but no prize
 * was left; payer_short: it won, but the payer's wallet could not pay (the prize stays in the budget).
 */
export const instantWinOutcomes = ['won', 'lost', 'budget_spent', 'payer_short'] as const;
export type InstantWinOutcome = (typeof instantWinOutcomes)[number];

/**
 * A winning-moments campaign: at each purchase in its window (at its partner, or anywhere for the
 * program's; optionally for a segment) the member may win `prizePoints`, paid by the funding
 * partner's wallet (or the program's marketing account), within its budget of prizes and/or points.
 * Draws are verifiable: `seed` is drawn at creation and kept secret until the end, its SHA-256
 * `seedCommitment` is shown from the start, and every draw derives from (seed, event id).
 */
@Entity({ name: 'instant_win_campaign' })
@Check('instant_win_prize_positive', '"prizePoints" > 0')
@Check('instant_win_window', '"endsAt" > "startsAt"')
@Check('instant_win_chance', '"winChancePpm" IS NULL OR "winChancePpm" BETWEEN 1 AND 1000000')
@Check('instant_win_prize_budget', '"prizeBudget" IS NULL OR "prizesWon" <= "prizeBudget"')
@Check('instant_win_points_budget', '"pointsBudget" IS NULL OR "pointsWon" <= "pointsBudget"')
@Check('instant_win_times', '"winningTimeCount" IS NULL OR "winningTimeCount" BETWEEN 1 AND 10000')
@Check('instant_win_has_budget', '"prizeBudget" IS NOT NULL OR "pointsBudget" IS NOT NULL')
@Index('instant_win_campaign_live', ['status'], { where: `"status" = 'live'` })
export class InstantWinCampaign extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** The partner that runs it (only its purchases qualify), or null for the program's (purchases anywhere). */
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz' })
  endsAt: Date;

  /** Only members of this segment (at the purchase) take part; everyone when null. */
  @Column({ type: 'uuid', nullable: true })
  segmentId: string | null;

  @Column({ type: 'text' })
  mode: InstantWinMode;

  /** For `probability`: the chance of each draw, in millionths. */
  @Column({ type: 'int', nullable: true })
  winChancePpm: number | null;

  /** For `winning_times`: how many instants are drawn from the seed in the window (see engagement/instant-win-draws.ts). */
  @Column({ type: 'int', nullable: true })
  winningTimeCount: number | null;

  /** How many winning instants were claimed (always the earliest ones). */
  @Column({ type: 'int', default: 0 })
  momentsWon: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  prizePoints: number;

  /** At most this many prizes; no limit by count when null. */
  @Column({ type: 'int', nullable: true })
  prizeBudget: number | null;

  /** At most this many points in prizes; no limit by points when null. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  pointsBudget: number | null;

  @Column({ type: 'int', default: 0 })
  prizesWon: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  pointsWon: number;

  /** Draws made so far: the next draw's number is this plus one (draws are numbered in the order they took the campaign's lock). */
  @Column({ type: 'int', default: 0 })
  drawCount: number;

  /** Whose wallet pays the prizes: a partner, or the program's marketing account when null. */
  @Column({ type: 'uuid', nullable: true })
  fundingPartnerId: string | null;

  /** 32 random bytes, hex; never shown before the campaign ended. */
  @Column({ type: 'text', select: false })
  seed: string;

  /** SHA-256 of the seed's bytes, hex: published from the start. */
  @Column({ type: 'text' })
  seedCommitment: string;

  @Column({ type: 'text', default: 'draft' })
  status: InstantWinStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** One draw: a purchase drawn once per campaign, whatever replays it. */
@Entity({ name: 'instant_win_draw' })
@Unique('instant_win_draw_number', ['campaignId', 'drawNumber'])
@Index('instant_win_draw_member', ['memberId'])
export class InstantWinDraw extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  campaignId: string;

  /** The draw's key: the purchase's event id. */
  @PrimaryColumn({ type: 'uuid' })
  eventId: string;

  @Column({ type: 'int' })
  drawNumber: number;

  @Column({ type: 'uuid' })
  memberId: string;

  /** The instant compared with the winning times: when Tessera received the purchase. */
  @Column({ type: 'timestamptz' })
  drawnAt: Date;

  /** HMAC-SHA256(seed, event id), its first 48 bits as a fraction of 2^48. */
  @Column({ type: 'double precision' })
  randomValue: number;

  @Column({ type: 'text' })
  outcome: InstantWinOutcome;

  /** Points paid; 0 unless won. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  prizePoints: number;

  @Column({ type: 'uuid', nullable: true })
  transferId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
