import { BaseEntity, Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SalesChannel } from './point-of-sale.js';

export type Rounding = 'down' | 'up' | 'nearest';

export type RuleFormula =
  /** Points per whole currency unit spent on the event. */
  | { kind: 'per_amount'; pointsPerUnit: number; rounding: Rounding }
  /** Points per item of one product reference. */
  | { kind: 'per_product'; reference: string; pointsPerItem: number }
  /** Points per currency unit spent on one category (section). */
  | { kind: 'per_category'; category: string; pointsPerUnit: number; rounding: Rounding }
  /** Points for coming by (any purchase or visit event). */
  | { kind: 'per_visit'; points: number }
  /** Points for an action: registration, referral, review, ... or a custom type. */
  | { kind: 'per_action'; actionType: string; points: number };

export interface RuleCaps {
  perEvent?: number;
  perMemberPerDay?: number;
  perMemberPerMonth?: number;
}

/** Columns that say where, when and for whom a rule or booster applies; null means "all". */
export abstract class Applicability extends BaseEntity {
  @Column({ type: 'uuid', array: true, nullable: true })
  partnerIds: string[] | null;

  @Column({ type: 'text', array: true, nullable: true })
  channels: SalesChannel[] | null;

  @Column({ type: 'uuid', array: true, nullable: true })
  pointOfSaleIds: string[] | null;

  @Column({ type: 'text', array: true, nullable: true })
  tierCodes: string[] | null;

  @Column({ type: 'timestamptz', nullable: true })
  validFrom: Date | null;

  /** Exclusive. */
  @Column({ type: 'timestamptz', nullable: true })
  validTo: Date | null;
}

/** How an event earns points: the operator's configuration of the program's generosity. */
@Entity({ name: 'earning_rule' })
@Check('earning_rule_stacking', `"stacking" IN ('stack', 'best_only')`)
export class EarningRule extends Applicability {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'jsonb' })
  formula: RuleFormula;

  /** Higher first; also breaks ties between best-only rules. */
  @Column({ type: 'integer', default: 0 })
  priority: number;

  /** `stack`: adds to the others. `best_only`: only the best-paying best-only rule counts. */
  @Column({ type: 'text', default: 'stack' })
  stacking: 'stack' | 'best_only';

  @Column({ type: 'jsonb', default: {} })
  caps: RuleCaps;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
