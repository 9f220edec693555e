import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/** An item of the rewards catalog that members buy with points; the operator fulfils it. */
@Entity({ name: 'reward' })
export class Reward extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  pointsPrice: number;

  /** Null means unlimited (e.g. discount codes generated on demand). */
  @Column({ type: 'integer', nullable: true })
  stock: number | null;

  /** Instant rewards (codes) are burned at once; physical ones are held until the supplier ships. */
  @Column({ type: 'boolean', default: false })
  needsFulfilment: boolean;

  @Column({ type: 'text', nullable: true })
  supplier: string | null;

  /** A picture of the reward for the catalog (an https URL). */
  @Column({ type: 'text', nullable: true })
  imageUrl: string | null;

  /** Where the catalog files it for members ("Outings", "Home"); uncategorised when null. */
  @Column({ type: 'text', nullable: true })
  category: string | null;

  @Column({ type: 'boolean', default: true })
  available: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
