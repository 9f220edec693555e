import { BaseEntity, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { StaffUser } from './staff-user.js';

/**
 * An invitation to set a staff account's first password, sent by email. Its link's token is made
 * when the email goes out and only its SHA-256 is kept; the link works once, until `expiresAt`.
 */
@Entity({ name: 'staff_invitation' })
export class StaffInvitation extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  staffUserId: string;

  @ManyToOne(() => StaffUser, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'staffUserId' })
  staffUser?: StaffUser;

  /** SHA-256 of the link's token; null until the email is sent. */
  @Column({ type: 'text', nullable: true, unique: true, select: false })
  tokenHash: string | null;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  /** The address the link went to: the link sets a password only while the account still has it. */
  @Column({ type: 'text', nullable: true })
  sentTo: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
