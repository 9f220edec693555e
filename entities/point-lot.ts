import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';
import { LedgerAccount } from './ledger-account.js';

/**
 * Points credited to a member by one transfer, with their expiry and the partner who paid for
 * them. Debits consume lots earliest-expiry first, so breakage and redemptions can be attributed.
 */
// Partitioned by month of "createdAt" (entities/partitioned-tables.ts); no foreign key may point at it.
@Entity({ name: 'point_lot' })
@Index('point_lot_open_by_expiry', ['memberAccountId', 'expiresAt'], { where: '"remaining" > 0' })
@Check('point_lot_remaining_within_points', '"remaining" >= 0 AND "remaining" <= "points" AND "points" > 0')
export class PointLot extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  memberAccountId: string;

  @ManyToOne(() => LedgerAccount, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'memberAccountId' })
  memberAccount?: LedgerAccount;

  /** No foreign key: ledger_transfer is partitioned by month; ledger:check reports a lot whose transfer is missing. */
  @Index()
  @Column({ type: 'uuid' })
  creditTransferId: string;

  /**
   * Null when the program itself funded the points (e.g. a care adjustment). No foreign key: it
   * is copied from the partner wallet's account, and a key check would share-lock the partner's
   * row on every earn (see LedgerTransfer).
   */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  fundingPartnerId: string | null;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  remaining: number;

  /** Null: never expires. */
  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** The month partition's key, so part of the primary key (PostgreSQL requires it of a partitioned table). */
  @CreateDateColumn({ type: 'timestamptz', primary: true })
  createdAt: Date;
}
