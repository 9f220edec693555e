import { BaseEntity, Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/** A package of points the operator sells to partners, from a small trial to large volumes. */
@Entity({ name: 'point_package' })
@Check('point_package_positive', '"points" > 0 AND "priceCents" >= 0')
export class PointPackage extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  /** Price in the currency's minor unit (cents). */
  @Column({ type: 'integer' })
  priceCents: number;

  /** ISO 4217 code. */
  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
