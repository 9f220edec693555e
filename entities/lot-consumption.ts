import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';
import { LedgerTransfer } from './ledger-transfer.js';

/**
 * How many points of one lot a debit took (positive) or a void/reversal gave back (negative).
 * A lot's remaining points always equal its points minus the sum of its consumptions.
 */
@Entity({ name: 'lot_consumption' })
@Check('lot_consumption_not_zero', '"points" <> 0')
export class LotConsumption extends BaseEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  // No foreign key: point_lot is partitioned (its key is the lot's id and month); ledger:check
  // reports a consumption whose lot does not exist.
  @Index()
  @Column({ type: 'uuid' })
  lotId: string;

  @Index()
  @Column({ type: 'uuid' })
  transferId: string;

  @ManyToOne(() => LedgerTransfer, { onDelete: 'RESTRICT', deferrable: 'INITIALLY DEFERRED' })
  @JoinColumn({ name: 'transferId' })
  transfer?: LedgerTransfer;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
