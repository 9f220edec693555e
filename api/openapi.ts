import { z } from 'zod';
import {
  eventBody,
  memberTransferBody,
  redemptionBody,
  refundBody,
  shipmentReportBody,
  transactionsQuery,
  widgetSessionBody,
} from './schemas.js';

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const errors = {
  400: problem('Invalid request: `errors` names each field at fault'),
  401: problem('Missing, unknown or revoked API key'),
  429: problem('Rate limit of the API key reached'),
};
const writeErrors = {
  ...errors,
  409: problem('Idempotency-Key already used for a different request'),
  422: problem('Refused by the program: not enough points, unknown reward, limits, ...'),
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description: 'Unique per write: a retry with the same key returns the first response (header Idempotent-Replayed: true).',
  schema: { type: 'string', maxLength: 200 },
};
const externalIdParameter = { name: 'externalId', in: 'path', required: true, schema: { type: 'string', maxLength: 200 } };
const json = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: jsonSchema(schema) } } });
const ok = (description: string, example: unknown) => ({ description, content: { 'application/json': { example } } });

/** The OpenAPI 3.1 document of the partner API; request bodies come from the validators. */
export function openApiDocument(serverUrl = '/api/v1') {
  const queryParameters = Object.entries((jsonSchema(transactionsQuery).properties ?? {}) as Record<string, object>).map(
    ([name, schema]) => ({ name, in: 'query', required: false, schema }),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera partner API',
      version: '1.0.0',
      description:
        'Issue points for what members do at your store, read their balance and history, redeem rewards. ' +
        'Authenticate with `Authorization: Bearer <API key>`. Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from the back office' },
        supplierSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Tessera-Signature',
          description:
            '`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with SUPPLIER_SECRET>`, at most five minutes old: how Tessera signs its orders to the supplier, and how the supplier signs its reports.',
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
          },
          required: ['title', 'status'],
        },
      },
    },
    paths: {
      '/events': {
        post: {
          summary: 'Record what a member did and earn points',
          description: 'Enrols an unknown member (with the registration bonus). The answer lists the points per rule.',
          parameters: [idempotencyKey],
          requestBody: json(eventBody),
          responses: {
            201: ok('Recorded', {
              id: 'a4c0…',
              member: { externalId: 'cust-42', enrolledNow: true },
              points: 42,
              bonusPoints: 50,
              totalPoints: 92,
              explanation: [{ rule: '1 point per euro', points: 42, reason: 'spent 42.50 at 1 per unit' }],
              tier: null,
              upgradedTo: null,
              expiresAt: '2027-11-25T00:00:00.000Z',
            }),
            ...writeErrors,
          },
        },
      },
      '/events/{eventId}/refunds': {
        post: {
          summary: 'Refund a purchase in full or by line items; points are taken back in proportion',
          parameters: [{ name: 'eventId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }, idempotencyKey],
          requestBody: json(refundBody),
          responses: {
            201: ok('Refunded', { refundedCents: 1000, pointsReversed: 10, remainingCents: 3250 }),
            404: problem('Not an event of yours'),
            ...writeErrors,
          },
        },
      },
      '/members/{externalId}': {
        get: {
          summary: "A member's balance, tier and points expiring in 30/60/90 days",
          parameters: [externalIdParameter],
          responses: {
            200: ok('The member', {
              externalId: 'cust-42',
              balance: { posted: 120, held: 0, available: 120, incoming: 0 },
              tier: { code: 'silver', name: 'Silver', multiplier: 1.25 },
              qualifyingPoints: 1400,
              expiring: { days30: 0, days60: 20, days90: 20 },
            }),
            404: problem('No such member'),
            ...errors,
          },
        },
      },
      '/members/{externalId}/transactions': {
        get: {
          summary: "A member's movements, newest first, by cursor",
          description: 'Details of movements caused by other partners are left out.',
          parameters: [externalIdParameter, ...queryParameters],
          responses: {
            200: ok('A page', {
              entries: [{ id: '…', at: '2026-11-24T10:00:00Z', kind: 'earn', points: 42, status: 'posted', event: '…', explanation: [] }],
              nextCursor: 'MTIz',
            }),
            404: problem('No such member'),
            ...errors,
          },
        },
      },
      '/members/{externalId}/redemptions': {
        post: {
          summary: 'Spend points on a reward',
          description: 'Instant rewards are burned and answer a code; rewards to fulfil hold the points until shipped.',
          parameters: [externalIdParameter, idempotencyKey],
          requestBody: json(redemptionBody),
          responses: {
            201: ok('Redeemed', {
              id: '…',
              reward: 'coffee-voucher',
              quantity: 1,
              points: 150,
              status: 'completed',
              code: 'COFFEE-VOUCHER-3F2A9C01DE',
            }),
            404: problem('No such member'),
            ...writeErrors,
          },
        },
      },
      '/members/{externalId}/transfers': {
        post: {
          summary: 'Give points to another member, within the program limits',
          parameters: [externalIdParameter, idempotencyKey],
          requestBody: json(memberTransferBody),
          responses: {
            201: ok('Transferred', { id: '…', from: 'cust-42', to: 'cust-43', points: 100 }),
            404: problem('No such member'),
            ...writeErrors,
          },
        },
      },
      '/widget-sessions': {
        post: {
          summary: 'A token for the earn widget of one signed-in member (valid one hour)',
          description: 'Ask from your server; put the element in your page with `<script src="/widget.js">`.',
          parameters: [idempotencyKey],
          requestBody: json(widgetSessionBody),
          responses: {
            201: ok('The token', {
              token: 'eyJw….x1',
              expiresAt: '2026-11-24T12:00:00.000Z',
              script: '/widget.js',
              element: '<tessera-earn token="…"></tessera-earn>',
            }),
            ...writeErrors,
          },
        },
      },
      '/wallet': {
        get: {
          summary: "Your wallet: points you can still issue, and today's and this month's issuance",
          responses: {
            200: ok('The wallet', { available: 48250, widgetEnabled: true, issuedToday: 320, issuedThisMonth: 8100 }),
            ...errors,
          },
        },
      },
      '/shipments': {
        servers: [{ url: '/api/supplier/v1', description: "The reward supplier's callback (REWARD_SUPPLIER=http)" }],
        post: {
          tags: ['Reward suppliers'],
          summary: 'A supplier reports an order shipped, or that it cannot be delivered',
          description:
            'For the supplier of an installation with REWARD_SUPPLIER=http. Tessera POSTs each order to `<SUPPLIER_URL>/orders` ' +
            '(`{reference, reward: {code, name}, quantity, orderedAt, recipient: {name, email}}`, answered `{orderId}`, or 422 when it ' +
            'cannot be supplied) and a cancellation to `<SUPPLIER_URL>/orders/{orderId}/cancellation` (answered `{status: "cancelled"}` ' +
            'or `{status: "shipped", carrier, trackingNumber}`), signed and with the reference as Idempotency-Key. The supplier reports ' +
            'here, signed with the same secret. A report is recorded once: the same report again answers `already_recorded`; one ' +
            'after Tessera cancelled the order takes the points again (`points_taken`) or flags the redemption for care (`needs_care`).',
          security: [{ supplierSignature: [] }],
          requestBody: json(shipmentReportBody),
          responses: {
            200: ok('Recorded', { reference: '3f0c…', outcome: 'recorded' }),
            400: problem('Invalid report: `errors` names each field at fault'),
            401: problem('Tessera-Signature missing, wrong or more than five minutes old'),
            404: problem('No order with this reference was placed with this supplier'),
            409: problem('The order was already reported otherwise (failed, then shipped)'),
          },
        },
      },
      '/rewards': {
        get: {
          summary: 'The rewards catalog',
          responses: {
            200: ok('The catalog', {
              rewards: [
                {
                  code: 'coffee-voucher',
                  name: 'Free coffee voucher',
                  description: '',
                  pointsPrice: 150,
                  needsFulfilment: false,
                  inStock: true,
                },
              ],
            }),
            ...errors,
          },
        },
      },
    },
  };
}
