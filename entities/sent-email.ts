import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A copy of every email Tessera sent, so that care can see and resend what a member received. */
@Entity({ name: 'sent_email' })
@Index('sent_email_recipient_time', ['to', 'sentAt'])
export class SentEmail extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  to: string;

  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'text' })
  text: string;

  @Column({ type: 'text', nullable: true })
  html: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  sentAt: Date;
}
