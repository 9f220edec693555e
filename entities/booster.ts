import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Applicability } from './earning-rule.js';
import { decimalNumber } from './number-columns.js';

export type BoosterTarget = { actionType: string } | { reference: string } | { category: string };

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
