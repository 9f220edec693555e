import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const webhookEvents = [
  'points.earned',
  'points.expired',
  'member.tier_changed',
  'redemption.completed',
  'challenge.completed',
  'badge.awarded',
  'badge.revoked',
  'instant_win.won',
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

/** Where a partner wants to hear about events; deliveries are signed with its secret. */
@Entity({ name: 'webhook_endpoint' })
export class WebhookEndpoint extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  partnerId: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', array: true })
  events: WebhookEvent[];

  /** HMAC-SHA256 key of the `Tessera-Signature` header; made by the server, never read unless asked for. */
  @Column({ type: 'text', select: false })
  secret: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/**
 * One event sent to one endpoint, with its attempts (retried with backoff by a workflow). Queued
 * in the transaction that caused the event, with its outbox entry.
 */
@Entity({ name: 'webhook_delivery' })
export class WebhookDelivery extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  endpointId: string;

  @Column({ type: 'text' })
  event: WebhookEvent;

  @Column({ type: 'jsonb' })
  payload: object;

  @Column({ type: 'text', default: 'pending' })
  status: 'pending' | 'delivered' | 'failed';

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'integer', nullable: true })
  lastStatusCode: number | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;
}
