import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const staffRoles = ['operator_admin', 'program_manager', 'care_agent', 'care_supervisor', 'analyst', 'partner_user'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** Someone who signs in to the back office: operator staff, care agents, or a partner's user. */
@Entity({ name: 'staff_user' })
export class StaffUser extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
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
