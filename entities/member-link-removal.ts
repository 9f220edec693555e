import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { MemberLinkCause } from './member-link.js';

/**
 * The audit of a store's link a member removed from their dashboard: from then on the store no
 * longer reaches them by that customer id (its next event under it starts a provisional customer).
 * Kept apart from member_merge, which records points and identity moving between two members: an
 * unlink moves no point and concerns one member and a store's id.
 */
@Entity({ name: 'member_link_removal' })
export class MemberLinkRemoval extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  memberId: string;

  @Column({ type: 'uuid' })
  partnerId: string;

  /** The id the store knew the member by: care reads why that store's customer is someone new now. */
  @Column({ type: 'text' })
  customerId: string;

  /** How the link had been made, and when. */
  @Column({ type: 'text' })
  linkCause: MemberLinkCause;

  @Column({ type: 'timestamptz' })
  linkedAt: Date;

  /** Who asked, in words: the member. */
  @Column({ type: 'text' })
  requestedBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  removedAt: Date;
}
