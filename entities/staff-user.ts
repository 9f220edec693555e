import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const staffRoles = ['operator_admin', 'program_manager', 'care_agent', 'care_supervisor', 'analyst', 'partner_user'] as const;
export type StaffRole = (typeof staffRoles)[number];

/**
 * Someone who signs in to the back office: operator staff, care agents, or a partner's user. One
 * account per email whatever its case, as sign-in reads it: a unique index on lower(email), made by
 * its migration (TypeORM cannot declare an index on an expression, and leaves this one alone).
 */
@Entity({ name: 'staff_user' })
@Index('staff_user_email_lower', { synchronize: false })
export class StaffUser extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: StaffRole;

  /** Set for partner users only: the partner whose data they may see. */
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  /** scrypt hash in the form `scrypt$<salt>$<hash>`; never read unless asked for. */
  @Column({ type: 'text', select: false })
  passwordHash: string;

  /** Failed sign-ins in a row; reset by a successful one. */
  @Column({ type: 'integer', default: 0, select: false })
  failedSignIns: number;

  /** Set after too many failed sign-ins: no sign-in before this time. */
  @Column({ type: 'timestamptz', nullable: true, select: false })
  lockedUntil: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
