import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

export const partnerKinds = ['web_shop', 'mobile_app', 'physical_store'] as const;
export type PartnerKind = (typeof partnerKinds)[number];

/** A store (web shop, mobile app or point of sale network) that buys points and issues them to members. */
@Entity({ name: 'partner' })
export class Partner extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Short stable identifier used in URLs, API keys and reports. */
  @Column({ type: 'text', unique: true })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: 'web_shop' })
  kind: PartnerKind;

  @Column({ type: 'text', nullable: true })
  contactEmail: string | null;

  /** Below this many points in its wallet the partner is told to top up (once per crossing). */
  @Column({ type: 'bigint', default: 5_000, transformer: bigintNumber })
  lowBalanceThreshold: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
