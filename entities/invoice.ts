import { BaseEntity, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { bigintNumber, decimalNumber } from './number-columns.js';
import { Partner } from './partner.js';
import { PointPackage } from './point-package.js';

/** A partner's purchase of a point package: numbered, and paid out to its wallet by the ledger. */
@Entity({ name: 'invoice' })
@Unique('invoice_purchase_idempotency', ['partnerId', 'purchaseKey'])
export class Invoice extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Gapless: taken under a lock when the purchase commits. The number is `TES-<year>-<serial>`. */
  @Index({ unique: true })
  @Column({ type: 'integer' })
  serial: number;

  @Column({ type: 'text', unique: true })
  number: string;

  @Column({ type: 'uuid' })
  partnerId: string;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partnerId' })
  partner?: Partner;

  @Column({ type: 'uuid' })
  packageId: string;

  @ManyToOne(() => PointPackage, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'packageId' })
  package?: PointPackage;

  /** The caller's key for this purchase: buying twice with one key buys once. */
  @Column({ type: 'text' })
  purchaseKey: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  @Column({ type: 'integer' })
  amountCents: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** The VAT rate (percent) included in `amountCents`, as the program settings said at the sale. */
  @Column({ type: 'numeric', precision: 5, scale: 2, default: 0, transformer: decimalNumber })
  vatRatePercent: number;

  /** The ledger transfer that credited the wallet. */
  @Column({ type: 'uuid' })
  transferId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
