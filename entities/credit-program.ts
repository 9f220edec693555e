import { BaseEntity, Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { decimalNumber } from './number-columns.js';
import { Partner } from './partner.js';

/**
 * A store-credit program: a balance in money (minor units of `currency`) that members earn as
 * cashback at its partners' stores and spend there. The coalition's own (no owner) or a partner's
 * closed program (its owner, whose stores alone take part).
 */
@Entity({ name: 'credit_program' })
@Check('credit_program_one_cashback', `("cashbackPercent" IS NULL) <> ("cashbackFixedMinor" IS NULL)`)
@Check('credit_program_currency_code', `"currency" ~ '^[A-Z]{3}$'`)
export class CreditProgram extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  name: string;

  /** The partner running it as its own closed program; null for the coalition's. */
  @Column({ type: 'uuid', nullable: true })
  ownerPartnerId: string | null;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'ownerPartnerId' })
  ownerPartner?: Partner;

  /** ISO 4217: the balance counts minor units of it. */
  @Column({ type: 'text' })
  currency: string;

  /** The partners whose stores earn and spend this credit. */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  partnerIds: string[];

  /** Cashback as a percentage of the purchase... */
  @Column({ type: 'numeric', precision: 6, scale: 3, nullable: true, transformer: decimalNumber })
  cashbackPercent: number | null;

  /** ...or a fixed amount per purchase, in minor units. */
  @Column({ type: 'integer', nullable: true })
  cashbackFixedMinor: number | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
