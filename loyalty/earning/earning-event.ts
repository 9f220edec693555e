import type { SalesChannel } from '../../entities/index.js';

/** The action types the program knows; operators may add their own names too. */
export const builtInActionTypes = [
  'registration',
  'purchase',
  'referral',
  'review',
  'social_share',
  'event_participation',
  'subscription_renewal',
] as const;

/** The largest purchase amount (cents) the program records: a million in the currency's units. */
export const maxEventAmountCents = 100_000_000;

export interface EventLine {
  reference: string;
  category?: string;
  quantity: number;
  /** Price of one item in the currency's minor unit (cents). */
  unitPriceCents: number;
}

/** Something a member did at a partner, as the earning rules see it. */
export interface EarningEvent {
  type: string;
  partnerId: string;
  /** The program's currency, which the amounts are in (an event in another one is converted first). */
  currency: string;
  /** Total spent, in the currency's minor unit; absent for actions that are not purchases. */
  amountCents?: number;
  lines?: EventLine[];
  channel?: SalesChannel;
  pointOfSaleId?: string;
  occurredAt: Date;
}

/** What the rules need to know about the member beyond the event. */
export interface MemberStanding {
  tierCode: string | null;
  /** Tier earn multiplier (1 when the member has no tier). */
  tierMultiplier: number;
  /** Points each rule already gave this member today and this month (by rule id). */
  awardedToday: Record<string, number>;
  awardedThisMonth: Record<string, number>;
}
