import { z } from 'zod';
import { salesChannels } from '../entities/index.js';
import { maxEventAmountCents } from '../loyalty/earning/earning-event.js';
import { clockSkewMs } from '../loyalty/earning/event-time.js';
import { normalizePhone } from '../loyalty/contact-addresses.js';
import { decodeHistoryCursor } from '../loyalty/history-cursor.js';

/** The partner API's request shapes: validation and the OpenAPI document both come from these. */

/**
 * Every string the API accepts, in a body, a query or a path: no control character (C0 or DEL),
 * which no name, code or reference needs and the database would refuse (NUL) or store invisibly.
 */
export const text = () =>
  z
    .string()
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    .regex(/^[^\x00-\x1f\x7f]*$/, 'must not contain control characters')
    // JSON may carry half of a UTF-16 pair escaped (\ud800): no character, and PostgreSQL cannot store it.
    .refine((value) => value.isWellFormed(), 'must be valid Unicode text (a lone \\uD800-\\uDFFF is half a character)');

/**
 * A character `trim()` keeps. Spelled out rather than `\S`: regex engines disagree on what `\s` is
 * (U+FEFF, U+0085), and the OpenAPI document's pattern must mean to every validator what trim does.
 */
export const notBlank = /[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** A name, code or reference: trimmed, not blank, at most `max` characters. */
export const label = (max: number) => text().regex(notBlank, 'must not be blank').trim().min(1).max(max);

const externalId = label(200).describe("The customer's id in the store's systems: each store addresses members by its own ids");

export const eventBody = z
  .object({
    member: z.object({
      externalId,
      email: z.email().optional().describe("The customer's email, as the store knows it"),
      emailVerified: z
        .boolean()
        .default(false)
        .describe(
          'True only when the store itself checked that the customer receives mail at `email`: the customer is then linked to ' +
            'the coalition member who proved the same address, or becomes that member',
        ),
      phone: text()
        .trim()
        .refine((phone) => normalizePhone(phone) !== null, 'must be a phone number in international form, such as +33612345678')
        .optional()
        .describe('In international form (E.164); spaces are allowed'),
      phoneVerified: z.boolean().default(false).describe('True only when the store itself checked that the customer answers at `phone`'),
      referralCode: label(40)
        .optional()
        .describe(
          "The code of the member who referred this customer (shown on that member's dashboard), given when the customer joins: " +
            'only with the event that enrols a new member; an unknown code, a customer known already, or their own code is refused ' +
            'with 422 `event_refused` naming body.member.referralCode',
        ),
    }),
    type: z
      .string()
      .regex(/^[a-z][a-z0-9_]{1,63}$/, 'must be a lower-case action name such as purchase, review or referral')
      .describe('purchase, registration, referral, review, social_share, event_participation, subscription_renewal, or a custom type'),
    amountCents: z.int().min(0).max(maxEventAmountCents).optional().describe('Amount spent, in the minor unit (cents); needs `currency`'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .optional()
      .describe("Required with amountCents; another currency than the program's is converted at the operator's rate"),
    lines: z
      .array(
        z.object({
          reference: label(100),
          category: label(100).optional(),
          quantity: z.int().min(1).max(10_000),
          unitPriceCents: z.int().min(0).max(maxEventAmountCents),
        }),
      )
      .max(500)
      .optional(),
    channel: z.enum(salesChannels).optional(),
    pointOfSale: label(100).optional().describe("The partner's code of the point of sale"),
    occurredAt: z.iso
      .datetime({ offset: true })
      .regex(/^20\d\d-/, 'must be in the years 2000 to 2099')
      // A second pattern makes zod leave the format out of the JSON schema.
      .meta({ format: 'date-time' })
      .optional()
      .describe(
        `When it happened (2000 to 2099); now when absent. The program takes it at most ${clockSkewMs / 60_000} minutes after the server's clock ` +
          'and at most its backdating window (30 days unless the operator set another) before; otherwise 422 `event_refused` ' +
          'naming body.occurredAt.',
      ),
  })
  .refine((body) => body.amountCents === undefined || body.currency !== undefined, {
    message: 'is required with amountCents',
    path: ['currency'],
  })
  .meta({ dependentRequired: { amountCents: ['currency'] } });

export const refundBody = z.object({
  lines: z
    .array(z.object({ reference: label(100), quantity: z.int().min(1).max(10_000) }))
    .min(1)
    .max(500)
    .optional()
    .describe('The items returned; the whole remaining purchase when absent (send `{}`)'),
});

export const redemptionBody = z.object({
  reward: label(100).describe('Code of a reward of the catalog'),
  quantity: z.int().min(1).max(20).default(1),
});

export const memberTransferBody = z.object({
  to: externalId.describe("The store's id for the member who receives the points (a customer of the same store)"),
  points: z
    .int()
    .min(1)
    .describe(
      "At most the program's limit per transfer, and with the member's other transfers today at most its limit per day " +
        '(set by the operator; a transfer over either is refused with 422 transfer_refused)',
    ),
});

const pageSize = 'must be a whole number from 1 to 100';

export const transactionsQuery = z.object({
  cursor: text()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be the nextCursor of a page')
    .transform((cursor, context) => {
      const before = decodeHistoryCursor(cursor);
      if (before === null) context.addIssue({ code: 'custom', message: 'must be the nextCursor of a page' });
      return before ?? undefined;
    })
    .optional()
    .describe("The previous page's nextCursor"),
  // Digits only: Number() would also read 1e2, 0x10 or " 5", which the document's integer is not.
  limit: z
    .preprocess(
      (value) => (typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value),
      z.int({ error: pageSize }).min(1, pageSize).max(100, pageSize),
    )
    .default(20)
    .describe('Entries per page, 20 when absent'),
});

export const externalIdParam = externalId;

const drawsPageSize = 'must be a whole number from 1 to 500';

/** `GET /instant-wins/{id}`: which page of its draws, once they are published. */
export const instantWinQuery = z.object({
  cursor: text()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be the nextCursor of a page')
    .transform((cursor, context) => {
      const after = decodeHistoryCursor(cursor);
      if (after === null || after > 2_147_483_647n) context.addIssue({ code: 'custom', message: 'must be the nextCursor of a page' });
      return after === null ? undefined : Number(after);
    })
    .optional()
    .describe("The previous page's nextCursor"),
  limit: z
    .preprocess(
      (value) => (typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value),
      z.int({ error: drawsPageSize }).min(1, drawsPageSize).max(500, drawsPageSize),
    )
    .default(100)
    .describe('Draws per page, 100 when absent'),
});

/** `GET /leaderboards/{id}`: which period (the current one when absent), and whose own rank to add. */
export const leaderboardQuery = z.object({
  period: text()
    .regex(/^(once|\d{4}-W\d{2}|\d{4}-(0[1-9]|1[0-2]))$/, 'must be a period such as 2026-W48, 2026-11 or once')
    .optional()
    .describe('The period (`2026-W48`, `2026-11`, `once`); the current one when absent'),
  member: externalId.optional().describe('A customer of yours whose own rank to add'),
});

/** `Member-Authorization`: the member's say on a debit (see the OpenAPI document's security schemes). */
export const memberAuthorizationHeader = z
  .string()
  .regex(
    /^(Code [0-9]{6}|Bearer [A-Za-z0-9_-]{20,200})$/,
    'must be "Code " and the six digits the member received, or "Bearer " and a member session token',
  )
  .transform((value) => {
    const [scheme, credential] = value.split(' ') as [string, string];
    return scheme === 'Code' ? { kind: 'code' as const, code: credential } : { kind: 'session' as const, token: credential };
  });

export const spendingCodeBody = z.object({
  channel: z
    .enum(['email', 'sms'])
    .optional()
    .describe('Where the member receives the code: their verified email or phone; the email when absent and the member has one'),
});
export const eventIdParam = z.uuid();

export const widgetSessionBody = z.object({
  externalId: externalId.describe('The signed-in member the widget shows'),
});

export const widgetStateQuery = z.object({
  token: text().min(10).max(2_000).describe('A token from POST /api/v1/widget-sessions'),
  amountCents: z.coerce
    .number<string>()
    .int()
    .min(0)
    .max(100_000_000)
    .optional()
    .describe('The cart, in cents: the state then says what it would earn'),
});

/** A supplier's report of what became of an order (the signed callback `POST /api/supplier/v1/shipments`). */
export const shipmentReportBody = z.discriminatedUnion('status', [
  z.object({
    reference: label(200).describe("The order's reference, as Tessera sent it in the order"),
    status: z.literal('shipped'),
    carrier: label(100).optional(),
    trackingNumber: label(100).optional(),
  }),
  z.object({
    reference: label(200).describe("The order's reference, as Tessera sent it in the order"),
    status: z.literal('failed'),
    reason: label(500).describe('Why the reward cannot be delivered'),
  }),
]);

const widgetToken = text().min(10).max(2_000).describe('A token from POST /api/v1/widget-sessions');

export const widgetSignInBody = z.object({
  token: widgetToken,
  address: label(320).describe("The member's email, or mobile number in international form: a sign-in code is sent to it"),
});

export const widgetSignInCodeBody = z.object({
  token: widgetToken,
  address: label(320).describe('The address the code was sent to'),
  code: z.string().regex(/^[0-9]{6}$/, 'must be the six digits received'),
});
