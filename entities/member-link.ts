import { BaseEntity, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Member } from './member.js';
import { Partner } from './partner.js';

export const memberLinkCauses = ['store', 'verified_contact', 'member', 'merge', 'migration'] as const;
/**
 * store: the store's first event for a customer it did not know. verified_contact: the store sent an
 * email or phone it verified that belongs to a member. member: the member linked the store from their
 * dashboard. merge: the link followed its member into another. migration: it predates links.
 */
export type MemberLinkCause = (typeof memberLinkCauses)[number];

/** A store's customer id for a member of the coalition: how the partner API addresses members. */
@Entity({ name: 'member_link' })
@Unique('member_link_customer', ['partnerId', 'customerId'])
// Care's search finds a store's id in any case (see the migration MemberReadIndexes).
@Index('member_link_customer_lower', { synchronize: false })
export class MemberLink extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  partnerId: string;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partnerId' })
  partner?: Partner;

  /** The id in the store's systems (`cust-42`). */
  @Column({ type: 'text' })
  customerId: string;

  @Index()
  @Column({ type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'memberId' })
  member?: Member;

  @Column({ type: 'text' })
  cause: MemberLinkCause;

  @CreateDateColumn({ type: 'timestamptz' })
  linkedAt: Date;
}
