import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * What a member must be, all at once, to be in a segment; an absent or null condition does not
 * narrow it. Evaluated live (never a snapshot): a member is in the segment when the conditions hold.
 */
export interface SegmentConditions {
  /** In one of these tiers (codes). */
  tierCodes?: string[] | null;
  /** Available points, inclusive bounds. */
  balanceMin?: number | null;
  balanceMax?: number | null;
  /** An event within the last this many days. */
  activeWithinDays?: number | null;
  /** No event for at least this many days. */
  inactiveForDays?: number | null;
  /** An event at any of these partners, ever. */
  visitedPartnerIds?: string[] | null;
  /** What the member spent (events' amounts, in cents) over the last `spendDays` days, inclusive bounds. */
  spendMinCents?: number | null;
  spendMaxCents?: number | null;
  spendDays?: number | null;
  /** 1–12. */
  birthdayMonth?: number | null;
  /** Takes offers and news (marketing) on this channel, and has an address there. */
  emailOptIn?: boolean | null;
  smsOptIn?: boolean | null;
}

/** A saved audience: members who meet its conditions, for campaigns and exports. */
@Entity({ name: 'segment' })
export class Segment extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'jsonb', default: {} })
  conditions: SegmentConditions;

  @Column({ type: 'text' })
  createdBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
