import type { SalesChannel } from '../../entities/index.js';

/** Where, when and for whom a rule or booster applies; an absent list means "all". */
export interface Applicability {
  partnerIds?: string[];
  channels?: SalesChannel[];
  pointOfSaleIds?: string[];
  tierCodes?: string[];
  validFrom?: Date;
  validTo?: Date;
}

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

export interface EarningRule extends Applicability {
  id: string;
  name: string;
  formula: RuleFormula;
  /** Higher first; also breaks ties between best-only rules. */
  priority: number;
  /** `stack`: adds to the others. `best_only`: only the best-paying best-only rule counts. */
  stacking: 'stack' | 'best_only';
  caps?: { perEvent?: number; perMemberPerDay?: number; perMemberPerMonth?: number };
}

/** A temporary coefficient on an action, a product or a category. */
export interface Booster extends Applicability {
  id: string;
  name: string;
  coefficient: number;
  target: { actionType: string } | { reference: string } | { category: string };
}
