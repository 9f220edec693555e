import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/**
 * `needs_care`: the reward shipped after the redemption was cancelled and its points given back,
 * and the member no longer has them to take: care settles it with the member.
 */
export const redemptionStatuses = ['completed', 'awaiting_fulfilment', 'ordered', 'fulfilled', 'cancelled', 'needs_care'] as const;
export type RedemptionStatus = (typeof redemptionStatuses)[number];

/** A member spending points on a reward of the catalog. */
@Entity({ name: 'redemption' })
export class Redemption extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  memberId: string;

  @Column({ type: 'uuid' })
  rewardId: string;

  /** The partner through whose API (or widget) the member redeemed. */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  /** Instant rewards complete at once; others wait for the fulfilment workflow. */
  @Column({ type: 'text' })
  status: RedemptionStatus;

  /** The burn (instant rewards) or the hold (rewards to fulfil). */
  @Column({ type: 'uuid' })
  transferId: string;

  /** For instant rewards: the code the member uses (a discount code, a voucher). */
  @Column({ type: 'text', nullable: true })
  code: string | null;

  /** How a redemption to fulfil ended when it did not simply ship: why it was cancelled, in words the member reads. */
  @Column({ type: 'text', nullable: true })
  outcome: string | null;

  /**
   * Where a reward to ship goes, as the member gave it (on the dashboard); null for codes and for
   * redemptions through a store, which ship to the member's name and email alone.
   */
  @Column({ type: 'text', nullable: true })
  shipToName: string | null;

  @Column({ type: 'text', nullable: true })
  shipToStreet: string | null;

  @Column({ type: 'text', nullable: true })
  shipToPostalCode: string | null;

  @Column({ type: 'text', nullable: true })
  shipToCity: string | null;

  /** ISO 3166-1 alpha-2. */
  @Column({ type: 'text', nullable: true })
  shipToCountry: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
