import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A message the program sends a member once for an occasion (their welcome, their birthday of a
 * year): recorded, with its outbox entry, in the transaction that decided it, so that it is sent
 * however the processes crash, and never twice for the same occasion.
 */
@Entity({ name: 'member_message' })
@Unique('member_message_once', ['memberId', 'kind', 'occasion'])
export class MemberMessage extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** No foreign key, like the copies of emails and texts sent: the record outlives the member's row. */
  @Column({ type: 'uuid' })
  memberId: string;

  /** Which message: `welcome` or `birthday` (loyalty/member-messages.ts). */
  @Column({ type: 'text' })
  kind: string;

  /** What makes it once: `enrolment` for the welcome, the year for a birthday. */
  @Column({ type: 'text' })
  occasion: string;

  /** What the message tells (a birthday's day and bonus points). */
  @Column({ type: 'jsonb', default: {} })
  details: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** When it went out, and by which channel. */
  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ type: 'text', nullable: true })
  channel: string | null;

  /** Why it did not go out (the member turned it off, or cannot be reached): settled all the same. */
  @Column({ type: 'text', nullable: true })
  notSentReason: string | null;
}
