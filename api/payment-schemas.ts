import { z } from 'zod';
import { paymentStatuses, paymentTenders } from '../entities/index.js';
import { defaultAuthorizationMinutes } from '../loyalty/payments/payments.js';
import { label } from './schemas.js';

/** The payments API's request and response shapes: validation and the OpenAPI document both come from these. */

const externalId = label(200).describe("The member's id in your systems");

const basket = {
  amountMinor: z.int().min(1).max(100_000_000).describe('The whole order, in minor units of `currency` (cents)'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
    .describe("ISO 4217; must be the program's currency (422 `payment_currency_mismatch` otherwise)"),
  lines: z
    .array(
      z.object({
        reference: label(100),
        category: label(100).optional().describe('Lines in categories the program excludes are not paid with points'),
        quantity: z.int().min(1).max(10_000),
        unitPriceMinor: z.int().min(0).max(100_000_000),
      }),
    )
    .max(500)
    .optional()
    .describe('The lines of the order; without them the whole amount is eligible. They add up to at most amountMinor'),
  tender: z
    .enum(paymentTenders)
    .default('points')
    .describe(
      'What the member pays with: `points`, or `store_credit` (their credit in the store-credit program of your stores, in minor units of its currency: `points` then counts those units, and the points rules do not apply)',
    ),
};

export const paymentQuoteBody = z.object({
  ...basket,
  member: externalId.optional().describe('With the member, the quote also says how many points they can use now'),
});

export const paymentBody = z.object({
  ...basket,
  member: externalId,
  points: z
    .int()
    .min(1)
    .describe("Points to authorize: between the quote's minPoints and maxPoints, and at most the member's available points"),
  orderReference: label(200).describe('Your reference of the order'),
  pointOfSale: label(100).optional().describe('Your code of the point of sale'),
  expiresInMinutes: z
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(defaultAuthorizationMinutes)
    .describe(`How long the points stay authorized if you neither capture nor void (${defaultAuthorizationMinutes} minutes when absent)`),
});

export const capturePaymentBody = z.object({
  points: z
    .int()
    .min(1)
    .optional()
    .describe('Points to capture, at most those authorized; all of them when absent. The rest go back to the member'),
});

export const voidPaymentBody = z.object({});

export const paymentRefundBody = z.object({
  points: z.int().min(1).optional().describe('Points to give back, at most the captured points not refunded yet; all of those when absent'),
});

export const paymentIdParam = z.uuid();

const timestamp = z.iso.datetime();

export const paymentQuote = z.object({
  currency: z.string(),
  basketAmountMinor: z.int(),
  eligibleAmountMinor: z.int().describe('The order less its lines in excluded categories'),
  pointValueMinor: z.number().describe('What one point pays, in minor units'),
  minPoints: z.int().describe('The fewest points a payment uses'),
  maxPoints: z.int().describe('The most points this order may take by the rules (0: none)'),
  maxValueMinor: z.int(),
  excludedCategories: z.array(z.string()),
  member: z
    .object({
      available: z.int().describe("The member's available points"),
      usablePoints: z.int().describe('The most the member can pay with now: maxPoints within their balance (0 when under minPoints)'),
      usableValueMinor: z.int(),
    })
    .nullable()
    .describe('Null without `member`'),
});

export const payment = z.object({
  id: z.uuid(),
  status: z
    .enum(paymentStatuses)
    .describe(
      'authorized (held), captured, partially_refunded, refunded, voided, or expired (neither captured nor voided in time: the points went back)',
    ),
  tender: z.enum(paymentTenders),
  member: z.string().nullable().describe('Your id for the member'),
  orderReference: z.string(),
  pointOfSale: z.string().nullable(),
  currency: z.string(),
  basketAmountMinor: z.int(),
  eligibleAmountMinor: z.int(),
  pointValueMinor: z.number(),
  points: z.object({ authorized: z.int(), captured: z.int(), refunded: z.int() }),
  valueMinor: z.object({ authorized: z.int(), captured: z.int(), refunded: z.int() }).describe('What those points pay, in minor units'),
  expiresAt: timestamp.describe('When an authorization not captured nor voided gives the points back'),
  createdAt: timestamp,
  refunds: z.array(z.object({ id: z.uuid(), points: z.int(), valueMinor: z.int(), at: timestamp })),
});
