import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const messageCampaignChannels = ['email', 'sms'] as const;
export type MessageCampaignChannel = (typeof messageCampaignChannels)[number];

/** scheduled: waiting for its time (cancellable); sending: its audience drawn; sent: everyone settled; cancelled: never started. */
export const messageCampaignStatuses = ['scheduled', 'sending', 'sent', 'cancelled'] as const;
export type MessageCampaignStatus = (typeof messageCampaignStatuses)[number];

/**
 * A message (offers and news) to a segment's members at a set time, a few per minute, as each
 * member allows, keeping a share of the segment out of it (the holdout) to measure what it changed.
 */
@Entity({ name: 'message_campaign' })
@Check('message_campaign_rate_positive', '"ratePerMinute" > 0')
@Check('message_campaign_holdout_share', '"holdoutPercent" BETWEEN 0 AND 90')
@Check('message_campaign_window_positive', '"returnWindowDays" > 0')
export class MessageCampaign extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'uuid' })
  segmentId: string;

  @Column({ type: 'text' })
  channel: MessageCampaignChannel;

  /** The email's subject (empty for a text message). */
  @Column({ type: 'text', default: '' })
  subject: string;

  /** What it says; its http(s) links are the only places its tracked links lead to. */
  @Column({ type: 'text' })
  body: string;

  /** When it goes out, and the time zone the staff typed it in. */
  @Column({ type: 'timestamptz' })
  sendAt: Date;

  @Column({ type: 'text', default: 'UTC' })
  timeZone: string;

  @Column({ type: 'int' })
  ratePerMinute: number;

  @Column({ type: 'int' })
  holdoutPercent: number;

  /** A member came back when they had an event within this many days after the send. */
  @Column({ type: 'int' })
  returnWindowDays: number;

  @Column({ type: 'text', default: 'scheduled' })
  status: MessageCampaignStatus;

  @Column({ type: 'text' })
  createdBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** When its audience was drawn: the holdout's window starts then. */
  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;
}

/** pending: to send; held back: in the holdout; sent / failed / not_sent: settled. */
export const campaignRecipientStatuses = ['pending', 'sending', 'sent', 'failed', 'not_sent', 'held_back'] as const;
export type CampaignRecipientStatus = (typeof campaignRecipientStatuses)[number];

/** One member of a campaign's audience, drawn once at its start: at most one message each. */
@Entity({ name: 'message_campaign_recipient' })
@Index('message_campaign_recipient_pending', ['campaignId'], { where: `"status" = 'pending'` })
export class MessageCampaignRecipient extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  campaignId: string;

  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  /** Chosen from a hash of the campaign and member, so that drawing again gives the same holdout. */
  @Column({ type: 'boolean' })
  holdout: boolean;

  @Column({ type: 'text' })
  status: CampaignRecipientStatus;

  /** Quiet hours in the member's day: not sent before then. */
  @Column({ type: 'timestamptz', nullable: true })
  heldUntil: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  /** Why it failed or was not sent. */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  openedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  clickedAt: Date | null;
}
