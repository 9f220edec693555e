import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A person in the coalition program. Shared by every partner; known to stores by an external id. */
@Entity({ name: 'member' })
export class Member extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  externalId: string;

  @Index()
  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Index()
  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Column({ type: 'text', nullable: true })
  displayName: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  enrolledAt: Date;
}
