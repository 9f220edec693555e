import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Applicability } from './earning-rule.js';
import { decimalNumber } from './number-columns.js';

/**
 * What a booster multiplies: an action's points, or a product's or category's. With `spend`, a
 * product's or category's share of what a purchase earns by its amount too (a campaign's "double
 * points on kitchen").
 */
export type BoosterTarget = { actionType: string } | { reference: string; spend?: boolean } | { category: string; spend?: boolean };

/** A temporary coefficient on the points of an action, a product or a category. */
@Entity({ name: 'booster' })
@Check('booster_coefficient_positive', '"coefficient" > 0')
export class Booster extends Applicability {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'numeric', precision: 6, scale: 3, transformer: decimalNumber })
  coefficient: number;

  @Column({ type: 'jsonb' })
  target: BoosterTarget;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
