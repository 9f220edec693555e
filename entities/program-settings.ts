import { BaseEntity, Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** How long earned points live. Points stay valid through their expiry date (UTC). */
export type ExpiryPolicy =
  | { mode: 'never' }
  /** A validity period from the day they are earned. */
  | { mode: 'period'; months: number }
  /** A fixed yearly date (e.g. 31 December), `yearsAfter` years after the first one following the earn. */
  | { mode: 'fixed_date'; month: number; day: number; yearsAfter: number }
  /** The member's enrolment anniversary, the first one at least `minimumMonths` after the earn. */
  | { mode: 'anniversary'; minimumMonths: number };

/** The program's own settings: one row. */
@Entity({ name: 'program_settings' })
@Check('program_settings_single_row', '"id" = 1')
export class ProgramSettings extends BaseEntity {
  @PrimaryColumn({ type: 'integer', default: 1 })
  id: number;

  @Column({ type: 'jsonb', default: { mode: 'period', months: 24 } })
  expiryPolicy: ExpiryPolicy;

  /** Qualifying points for tiers are counted over this many past days. */
  @Column({ type: 'integer', default: 365 })
  tierWindowDays: number;

  /** Member-to-member transfers: the most one transfer may move, and one member may send a day. */
  @Column({ type: 'integer', default: 10_000 })
  transferMaxPoints: number;

  @Column({ type: 'integer', default: 25_000 })
  transferMaxPointsPerDay: number;

  /** Care adjustments of more points than this (either way) wait for a supervisor's approval. */
  @Column({ type: 'integer', default: 500 })
  careApprovalThreshold: number;

  /** Signs the earn widget's member tokens; random per installation, made on first use. */
  @Column({ type: 'text', nullable: true, select: false })
  widgetSecret: string | null;
}
