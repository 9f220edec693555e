import type { ProgramSettings } from '../../entities/index.js';
import { PaymentCurrencyMismatchError, PaymentRefusedError } from './payment-refusals.js';

/** One line of the basket: what the store sells, its category, how many at what unit price (minor units). */
export interface BasketLine {
  reference: string;
  category?: string;
  quantity: number;
  unitPriceMinor: number;
}

/** An order as the store sends it: its total in minor units and, optionally, its lines. */
export interface Basket {
  amountMinor: number;
  currency: string;
  lines?: BasketLine[];
}

/** How many points a basket may take, and what they pay. */
export interface PaymentQuote {
  currency: string;
  basketAmountMinor: number;
  /** The basket less its lines in excluded categories. */
  eligibleAmountMinor: number;
  pointValueMinor: number;
  minPoints: number;
  /** The most points the rules let this basket take (the member's balance aside); 0 when none. */
  maxPoints: number;
  maxValueMinor: number;
  excludedCategories: string[];
}

type PaymentRules = Pick<
  ProgramSettings,
  'currency' | 'pointValueMinor' | 'paymentMinPoints' | 'paymentMaxSharePercent' | 'paymentExcludedCategories'
>;

/** The excluded categories as typed in the settings ("gift cards, Tobacco"), compared without case. */
export function excludedCategories(typed: string): string[] {
  return typed
    .split(',')
    .map((category) => category.trim().toLowerCase())
    .filter((category) => category !== '');
}

// A point's value has at most four decimals: counted in ten-thousandths, sums stay whole.
const tenThousandths = (value: number) => Math.round(value * 10_000);

/** What `points` pay in minor units, rounded down: a store never owes a fraction of a cent. */
export function valueOfPoints(points: number, pointValueMinor: number): number {
  return Math.floor((points * tenThousandths(pointValueMinor)) / 10_000);
}

/**
 * The points a basket may take: only its eligible amount counts (lines in excluded categories do
 * not), at most the program's share of it, at the program's point value, in its currency.
 */
export function quotePayment(basket: Basket, rules: PaymentRules): PaymentQuote {
  if (basket.currency !== rules.currency) throw new PaymentCurrencyMismatchError(basket.currency, rules.currency);
  const excluded = excludedCategories(rules.paymentExcludedCategories);
  const lines = basket.lines ?? [];
  const linesTotal = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);
  if (linesTotal > basket.amountMinor) {
    throw new PaymentRefusedError('lines', `add up to ${linesTotal}, more than amountMinor (${basket.amountMinor})`);
  }
  const excludedAmount = lines
    .filter((line) => line.category !== undefined && excluded.includes(line.category.trim().toLowerCase()))
    .reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);
  const eligible = basket.amountMinor - excludedAmount;
  const maxShareMinor = Math.floor((eligible * Math.round(rules.paymentMaxSharePercent * 100)) / 10_000);
  const maxPoints = Math.floor((maxShareMinor * 10_000) / tenThousandths(rules.pointValueMinor));
  return {
    currency: rules.currency,
    basketAmountMinor: basket.amountMinor,
    eligibleAmountMinor: eligible,
    pointValueMinor: rules.pointValueMinor,
    minPoints: rules.paymentMinPoints,
    maxPoints: maxPoints >= rules.paymentMinPoints ? maxPoints : 0,
    maxValueMinor: maxPoints >= rules.paymentMinPoints ? valueOfPoints(maxPoints, rules.pointValueMinor) : 0,
    excludedCategories: excluded,
  };
}

/**
 * What store credit may pay of a basket: any product of the program's stores, up to the whole
 * basket, one unit of credit a minor unit of the credit program's currency.
 */
export function quoteCredit(basket: Basket, currency: string): PaymentQuote {
  if (basket.currency !== currency) throw new PaymentCurrencyMismatchError(basket.currency, currency, 'store credit is');
  const linesTotal = (basket.lines ?? []).reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);
  if (linesTotal > basket.amountMinor) {
    throw new PaymentRefusedError('lines', `add up to ${linesTotal}, more than amountMinor (${basket.amountMinor})`);
  }
  return {
    currency,
    basketAmountMinor: basket.amountMinor,
    eligibleAmountMinor: basket.amountMinor,
    pointValueMinor: 1,
    minPoints: 1,
    maxPoints: basket.amountMinor,
    maxValueMinor: basket.amountMinor,
    excludedCategories: [],
  };
}

/** Refuses points a quote does not allow, saying what would be. */
export function checkPointsAgainstQuote(points: number, quote: PaymentQuote): void {
  if (quote.maxPoints === 0) {
    throw new PaymentRefusedError(
      'points',
      quote.eligibleAmountMinor === 0
        ? 'nothing in this basket may be paid with points (its lines are in excluded categories)'
        : `this basket may not take the least a payment uses (${quote.minPoints} points)`,
    );
  }
  if (points < quote.minPoints) throw new PaymentRefusedError('points', `must be at least ${quote.minPoints}, the least a payment uses`);
  if (points > quote.maxPoints) {
    throw new PaymentRefusedError('points', `must be at most ${quote.maxPoints}: the share of this basket points may pay`);
  }
}

/** What a member with `available` points can pay with now: the quote's most within their balance, none under its least. */
export function usableBy(quote: PaymentQuote, available: number) {
  const usable = Math.min(quote.maxPoints, available);
  const usablePoints = usable >= quote.minPoints ? usable : 0;
  return { available, usablePoints, usableValueMinor: valueOfPoints(usablePoints, quote.pointValueMinor) };
}
