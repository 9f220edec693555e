import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

export const memberMergeCauses = ['verified_contact', 'member', 'care'] as const;
/** verified_contact: a store proved a provisional customer is a known member. member: the member linked their other account. care: staff merged them. */
export type MemberMergeCause = (typeof memberMergeCauses)[number];

/** The audit of one merge: who became whom, the points moved (lots kept their funder and expiry), why and on whose word. */
@Entity({ name: 'member_merge' })
export class MemberMerge extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  fromMemberId: string;

  @Index()
  @Column({ type: 'uuid' })
  intoMemberId: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  /** The ledger transfer that moved the points; null when there were none. */
  @Column({ type: 'uuid', nullable: true })
  transferId: string | null;

  @Column({ type: 'text' })
  cause: MemberMergeCause;

  /** Who asked, in words: a store's code, a staff email, or the member. */
  @Column({ type: 'text' })
  requestedBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;
}
