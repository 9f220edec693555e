import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One staff action in the back office: who did what to which record, and how it looked before and after. */
@Entity({ name: 'audit_entry' })
@Index('audit_entry_resource_record', ['resource', 'recordId'])
export class AuditEntry extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'uuid', nullable: true })
  staffUserId: string | null;

  @Column({ type: 'text' })
  staffEmail: string;

  /** The back-office action: new, edit, delete, adjustBalance, ... */
  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text' })
  resource: string;

  @Column({ type: 'text', nullable: true })
  recordId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before: object | null;

  @Column({ type: 'jsonb', nullable: true })
  after: object | null;
}
