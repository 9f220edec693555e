import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { bigintNumber, decimalNumber } from './number-columns.js';

/**
 * authorized: points held for the store. captured: the store took them (all or part).
 * partially_refunded / refunded: some or all captured points went back to the member.
 * voided: the store let the authorization go. expired: nobody captured it in time; the points went back.
 */
export const paymentStatuses = ['authorized', 'captured', 'partially_refunded', 'refunded', 'voided', 'expired'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** What a member pays with: points, or their store credit in the program the store takes part in (minor units of its currency). */
export const paymentTenders = ['points', 'store_credit'] as const;
export type PaymentTender = (typeof paymentTenders)[number];

/** A member paying part of an order at a store with points, modelled on a card payment. */
@Entity({ name: 'payment' })
@Unique('payment_idempotency', ['partnerId', 'idempotencyKey'])
@Check('payment_points_within_authorized', '"pointsCaptured" <= "pointsAuthorized" AND "pointsRefunded" <= "pointsCaptured"')
export class Payment extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The store where the member pays: only it sees and settles the payment. */
  @Index()
  @Column({ type: 'uuid' })
  partnerId: string;

  @Index()
  @Column({ type: 'uuid' })
  memberId: string;

  @Column({ type: 'uuid', nullable: true })
  pointOfSaleId: string | null;

  /** The store's own reference of the order. */
  @Column({ type: 'text' })
  orderReference: string;

  @Column({ type: 'text', default: 'points' })
  tender: PaymentTender;

  /** The whole basket, in minor units of `currency`. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  basketAmountMinor: number;

  /** The part of the basket points may pay for (excluded categories left out). */
  @Column({ type: 'bigint', transformer: bigintNumber })
  eligibleAmountMinor: number;

  @Column({ type: 'text' })
  currency: string;

  /** What one point paid, in minor units, when the payment was authorized: captures and refunds keep it. */
  @Column({ type: 'numeric', precision: 12, scale: 4, transformer: decimalNumber })
  pointValueMinor: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  pointsAuthorized: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  pointsCaptured: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  pointsRefunded: number;

  @Column({ type: 'text' })
  status: PaymentStatus;

  /** The ledger hold of the authorized points. */
  @Index({ unique: true })
  @Column({ type: 'uuid' })
  holdTransferId: string;

  /** The post of the hold, once captured: refunds reverse it. */
  @Column({ type: 'uuid', nullable: true })
  captureTransferId: string | null;

  /** When an authorization nobody captured or voided gives its points back. */
  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  /** The store's Idempotency-Key of the authorization (its API request): the same key finds this payment. */
  @Column({ type: 'text' })
  idempotencyKey: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
