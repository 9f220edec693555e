import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Member } from './member.js';
import { Partner } from './partner.js';

export const accountKinds = ['member', 'partner_wallet', 'program', 'funding_source'] as const;
export type AccountKind = (typeof accountKinds)[number];

/**
 * A ledger account. Its balance lives in one or more `ledger_balance` rows (shards): an account
 * that every earn touches (a partner wallet, a program account) is split so that concurrent
 * transfers lock different rows instead of queueing on one.
 */
@Entity({ name: 'ledger_account' })
@Check('ledger_account_shards_positive', '"shardCount" >= 1')
@Check(
  'ledger_account_owner_matches_kind',
  `("kind" = 'member' AND "memberId" IS NOT NULL AND "partnerId" IS NULL)
   OR ("kind" = 'partner_wallet' AND "partnerId" IS NOT NULL AND "memberId" IS NULL)
   OR ("kind" = 'program' AND "memberId" IS NULL AND "partnerId" IS NULL)
   OR ("kind" = 'funding_source' AND "memberId" IS NULL AND "partnerId" IS NULL)`,
)
export class LedgerAccount extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Human-readable and unique: `member:<externalId>`, `partner:<code>`, `program:issuance`. */
  @Column({ type: 'text', unique: true })
  code: string;

  @Column({ type: 'text' })
  kind: AccountKind;

  @Index({ unique: true, where: '"memberId" IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne(() => Member, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'memberId' })
  member?: Member;

  @Index({ unique: true, where: '"partnerId" IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partnerId' })
  partner?: Partner;

  /** Members', partners' and funding sources' accounts may never go below zero; program accounts may. */
  @Column({ type: 'boolean' })
  mayGoNegative: boolean;

  @Column({ type: 'integer', default: 1 })
  shardCount: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
