import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A signed-in member (the dashboard, or a store's widget): the token's hash, until it expires or is revoked. */
@Entity({ name: 'member_session' })
export class MemberSession extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  memberId: string;

  @Index({ unique: true })
  @Column({ type: 'text', select: false })
  tokenHash: string;

  /** Set for a session opened in a store's widget: that store. */
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  /** Signing out (here, or everywhere) revokes. */
  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
