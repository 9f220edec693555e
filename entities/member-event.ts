import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';
import type { RuleExplanation } from './ledger-transfer.js';
import type { SalesChannel } from './point-of-sale.js';

export interface EventLineRecord {
  reference: string;
  category?: string;
  quantity: number;
  unitPriceCents: number;
}

/** Something a member did at a partner (a purchase, a review, ...) and the points it earned. */
// Partitioned by month of "occurredAt" (entities/partitioned-tables.ts).
@Entity({ name: 'member_event' })
@Index('member_event_member_time', ['memberId', 'occurredAt'])
// Reports and dashboards read a partner's (or everyone's) events of a period: by partnerId alone,
// EXPLAIN (ANALYZE, BUFFERS) showed a month's 3,400 events of a partner cost 29,000 heap pages at 10M transfers.
// Both also INCLUDE the member, (partner) and type, for index-only counts: made by migration 1796042000001.
@Index('member_event_partner_time', { synchronize: false })
@Index('member_event_time', { synchronize: false })
export class MemberEvent extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // No index of its own: member_event_partner_time leads with it (one index less to write per event).
  @Column({ type: 'uuid' })
  partnerId: string;

  @Column({ type: 'uuid' })
  memberId: string;

  /** The store's id for the member, as it sent it (the member may since be known by more ids). */
  @Column({ type: 'text' })
  customerId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'integer', nullable: true })
  amountCents: number | null;

  @Column({ type: 'char', length: 3, nullable: true })
  currency: string | null;

  @Column({ type: 'jsonb', default: [] })
  lines: EventLineRecord[];

  @Column({ type: 'text', nullable: true })
  channel: SalesChannel | null;

  @Column({ type: 'uuid', nullable: true })
  pointOfSaleId: string | null;

  /** The month partition's key, so part of the primary key (PostgreSQL requires it of a partitioned table). */
  @PrimaryColumn({ type: 'timestamptz' })
  occurredAt: Date;

  /** Points the rules gave (bonuses are separate transfers). */
  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  bonusPoints: number;

  @Column({ type: 'jsonb', default: [] })
  explanation: RuleExplanation[];

  /** Points per rule, which the per-member caps count. */
  @Column({ type: 'jsonb', default: [] })
  byRule: { ruleId: string; points: number }[];

  /** Points each booster added to a rule's points, which a booster campaign's results count. */
  @Column({ type: 'jsonb', default: [] })
  byBooster: { boosterId: string; ruleId: string; points: number }[];

  /** The ledger transfer of the rules' points, which refunds reverse; null when none were earned. */
  @Column({ type: 'uuid', nullable: true })
  earnTransferId: string | null;

  @Column({ type: 'integer', default: 0 })
  refundedCents: number;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt: Date;
}
