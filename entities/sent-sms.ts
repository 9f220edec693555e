import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A copy of every SMS Tessera sent, so that care can see what a member received. */
@Entity({ name: 'sent_sms' })
@Index('sent_sms_recipient_time', ['to', 'sentAt'])
export class SentSms extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The number in E.164. */
  @Column({ type: 'text' })
  to: string;

  @Column({ type: 'text' })
  text: string;

  /** The member it was for, when the sender knew; no foreign key, so that the copy outlives the member's row. */
  @Column({ type: 'uuid', nullable: true })
  @Index('sent_sms_member')
  memberId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  sentAt: Date;
}
