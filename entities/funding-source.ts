import {
  BaseEntity,
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { bigintNumber } from './number-columns.js';
import { LedgerAccount } from './ledger-account.js';
import { Partner } from './partner.js';

export const fundingSourceKinds = ['partner', 'brand', 'operator'] as const;
/** Whose budget it is: a partner's own (allocated from its wallet), a brand's marketing budget, the operator's. */
export type FundingSourceKind = (typeof fundingSourceKinds)[number];

/**
 * A budget that pays campaigns' and bonuses' points instead of the earning partner's wallet. Its
 * points sit in its own ledger account (kind `funding_source`), put there by allocation transfers.
 */
@Entity({ name: 'funding_source' })
@Check('funding_source_owner_matches_kind', `("kind" = 'partner') = ("ownerPartnerId" IS NOT NULL)`)
@Check('funding_source_threshold_not_negative', '"lowBalanceThreshold" >= 0')
export class FundingSource extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index({ unique: true })
  @Column({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: FundingSourceKind;

  /** The partner whose budget it is: only it may choose the source, and its points count as funded by it. */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  ownerPartnerId: string | null;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'ownerPartnerId' })
  ownerPartner?: Partner;

  @Index({ unique: true })
  @Column({ type: 'uuid' })
  accountId: string;

  @OneToOne(() => LedgerAccount, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'accountId' })
  account?: LedgerAccount;

  /** Under this many points left, whoever looks after the budget is told (once per crossing). */
  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  lowBalanceThreshold: number;

  /** Who is told when it runs low; null: the owner partner's contact. */
  @Column({ type: 'text', nullable: true })
  alertEmail: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
