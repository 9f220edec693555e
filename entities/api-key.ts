import { BaseEntity, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Partner } from './partner.js';

/** A partner's API key. The secret is shown once; only its SHA-256 is kept. */
@Entity({ name: 'api_key' })
export class ApiKey extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  partnerId: string;

  @ManyToOne(() => Partner, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partnerId' })
  partner?: Partner;

  /** What the key is for, e.g. "web shop checkout". */
  @Column({ type: 'text' })
  name: string;

  /** The key's public start (`tk_` and 12 characters), to find it and to show it in lists. */
  @Column({ type: 'text', unique: true })
  prefix: string;

  /** SHA-256 of the whole key; never read unless asked for. */
  @Column({ type: 'text', select: false })
  secretHash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
