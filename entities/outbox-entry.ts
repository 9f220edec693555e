import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** The durable processes a committed write may start: each has a workflow, started from the outbox. */
export const outboxProcesses = [
  'webhook_delivery',
  'reward_fulfilment',
  'care_approval',
  'hold_timeout',
  'member_message',
  'campaign_lifecycle',
  'campaign_notice',
  'campaign_approval',
  'staff_invitation',
  'challenge_progress',
  'badge_award',
  'leaderboard_score',
  'leaderboard_close',
  'receipt_reading',
  'message_campaign',
] as const;
export type OutboxProcess = (typeof outboxProcesses)[number];

/**
 * A process to start because a transaction committed, queued in that transaction. The committer
 * starts it right after the commit and a schedule sweeps what was not started (a crash between
 * commit and start): the workflow id derives from the subject, so starting twice is harmless.
 */
@Entity({ name: 'outbox_entry' })
@Unique('outbox_entry_once_per_subject', ['process', 'subjectId'])
@Index('outbox_entry_undispatched', ['createdAt'], { where: '"dispatchedAt" IS NULL' })
export class OutboxEntry extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  process: OutboxProcess;

  /** The record the process is about: a webhook delivery, a redemption, a care adjustment, a hold, a member message. */
  @Column({ type: 'uuid' })
  subjectId: string;

  /** What the process needs besides its subject (a reward's code for a readable id, a hold's expiry). */
  @Column({ type: 'jsonb', default: {} })
  details: Record<string, string>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** When its workflow was started (or found already started). */
  @Column({ type: 'timestamptz', nullable: true })
  dispatchedAt: Date | null;
}
