import { z } from 'zod';
import { salesChannels } from '../entities/index.js';

/** The partner API's request shapes: validation and the OpenAPI document both come from these. */

const externalId = z.string().trim().min(1).max(200).describe("The member's id in the partner's systems");

export const eventBody = z
  .object({
    member: z.object({
      externalId,
      email: z.email().optional(),
      phone: z
        .string()
        .trim()
        .regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number')
        .optional(),
    }),
    type: z
      .string()
      .regex(/^[a-z][a-z0-9_]{1,63}$/, 'must be a lower-case action name such as purchase, review or referral')
      .describe('purchase, registration, referral, review, social_share, event_participation, subscription_renewal, or a custom type'),
    amountCents: z.number().int().min(0).max(100_000_000).optional().describe('Amount spent, in the minor unit (cents)'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .optional(),
    lines: z
      .array(
        z.object({
          reference: z.string().trim().min(1).max(100),
          category: z.string().trim().min(1).max(100).optional(),
          quantity: z.number().int().min(1).max(10_000),
          unitPriceCents: z.number().int().min(0).max(100_000_000),
        }),
      )
      .max(500)
      .optional(),
    channel: z.enum(salesChannels).optional(),
    pointOfSale: z.string().trim().min(1).max(100).optional().describe("The partner's code of the point of sale"),
    occurredAt: z.iso.datetime({ offset: true }).optional().describe('When it happened; now when absent'),
  })
  .refine((body) => body.amountCents === undefined || body.currency !== undefined, {
    message: 'is required with amountCents',
    path: ['currency'],
  });

export const refundBody = z.object({
  lines: z
    .array(z.object({ reference: z.string().trim().min(1).max(100), quantity: z.number().int().min(1) }))
    .min(1)
    .optional()
    .describe('The items returned; the whole remaining purchase when absent'),
});

export const redemptionBody = z.object({
  reward: z.string().trim().min(1).max(100).describe('Code of a reward of the catalog'),
  quantity: z.number().int().min(1).max(20).default(1),
});

export const memberTransferBody = z.object({
  to: externalId.describe('External id of the member who receives the points'),
  points: z.number().int().min(1),
});

export const transactionsQuery = z.object({
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const externalIdParam = externalId;
export const eventIdParam = z.uuid();

export const widgetSessionBody = z.object({
  externalId: externalId.describe('The signed-in member the widget shows'),
});

/** A supplier's report of what became of an order (the signed callback `POST /api/supplier/v1/shipments`). */
export const shipmentReportBody = z.discriminatedUnion('status', [
  z.object({
    reference: z.string().min(1).max(200).describe("The order's reference, as Tessera sent it in the order"),
    status: z.literal('shipped'),
    carrier: z.string().trim().min(1).max(100).optional(),
    trackingNumber: z.string().trim().min(1).max(100).optional(),
  }),
  z.object({
    reference: z.string().min(1).max(200).describe("The order's reference, as Tessera sent it in the order"),
    status: z.literal('failed'),
    reason: z.string().trim().min(1).max(500).describe('Why the reward cannot be delivered'),
  }),
]);
