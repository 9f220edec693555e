import type { Booster, EarningRule } from '../../entities/index.js';

type ApplicabilityFields = 'partnerIds' | 'channels' | 'pointOfSaleIds' | 'tierCodes' | 'validFrom' | 'validTo';

/** Where, when and for whom a rule or booster applies; null or absent means "all". */
export type Scope = Partial<Pick<EarningRule, ApplicabilityFields>>;

/** What the evaluation reads of an earning rule. */
export type RuleTerms = Pick<EarningRule, 'id' | 'name' | 'formula' | 'priority' | 'stacking'> & Partial<Pick<EarningRule, 'caps'>> & Scope;

/** What the evaluation reads of a booster. */
export type BoosterTerms = Pick<Booster, 'id' | 'name' | 'coefficient' | 'target'> & Scope;
