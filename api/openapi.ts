import { z } from 'zod';
import { webhookEvents } from '../entities/index.js';
import { webhookEnvelope } from '../loyalty/webhook-events.js';
import { idempotencyKeyPattern } from './idempotent-write.js';
import { problemCodes } from './problem.js';
import * as responses from './responses.js';
import {
  eventBody,
  eventIdParam,
  externalIdParam,
  memberTransferBody,
  spendingCodeBody,
  redemptionBody,
  refundBody,
  transactionsQuery,
  instantWinQuery,
  widgetSessionBody,
  widgetSignInBody,
  widgetSignInCodeBody,
  shipmentReportBody,
  widgetStateQuery,
} from './schemas.js';
import * as payments from './payment-schemas.js';
import { widgetPaymentQuoteBody } from './widget-payment-quote.js';

/** A request schema as clients send it, or a response schema as the server sends it. */
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'input') => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** The parameters of an object schema, one per property (query and path parameters). */
const parametersOf = (schema: z.ZodObject, location: 'query' | 'path') => {
  const { properties = {}, required = [] } = jsonSchema(schema) as {
    properties?: Record<string, { description?: string }>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, { description, ...property }]) => ({
    name,
    in: location,
    required: location === 'path' || required.includes(name),
    ...(description ? { description } : {}),
    schema: property,
  }));
};

const problem = (status: number, description: string) => ({
  description,
  content: {
    'application/problem+json': {
      schema: {
        allOf: [
          { $ref: '#/components/schemas/Problem' },
          { type: 'object', properties: { status: { const: status }, code: { enum: problemCodes(status) } } },
        ],
      },
    },
  },
});
const errors = {
  400: problem(400, 'Invalid request: `errors` names each field at fault (`body.x`, `query.x`, `path.x`, `header.X`)'),
  401: problem(401, 'Missing, unknown or revoked API key'),
  429: problem(429, 'Rate limit of the API key reached'),
};
const notFound = problem(404, 'Not found: `errors` names the field (`path.externalId`, `body.to`, ...)');
const writeErrors = {
  ...errors,
  409: problem(409, 'Idempotency-Key already used for a different request'),
  413: problem(413, 'Body over 100 kB'),
  415: problem(415, 'Content-Type is not application/json'),
  422: problem(422, 'Refused by the program (not enough points, unknown reward, limits, ...): `errors` names the field at fault'),
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description:
    'Unique per write: a retry with the same key and the same request (the same JSON, in any key order) returns the first ' +
    'response with `Idempotent-Replayed: true`; the same key with another request is a 409.',
  schema: { type: 'string', minLength: 1, maxLength: 200, pattern: idempotencyKeyPattern.source },
};
const memberParameters = parametersOf(z.object({ externalId: externalIdParam }), 'path');
const memberAuthorization = {
  name: 'Member-Authorization',
  in: 'header',
  required: true,
  description:
    "The member's say on spending their points: `Code <6 digits>`, a one-time code the member received by email or SMS after " +
    'you asked for one (`POST /members/{externalId}/spending-codes`) and gave you at the checkout — it works once, at your store, ' +
    "for 10 minutes and 5 tries — or `Bearer <member session token>` from the member's sign-in (their dashboard, or your widget).",
  schema: { type: 'string', pattern: '^(Code [0-9]{6}|Bearer [A-Za-z0-9_-]{20,200})$' },
};
const consentRefused = problem(
  403,
  "`member_authorization_required`: no `Member-Authorization`; `member_authorization_refused`: a code that is wrong, used, expired or out of tries, or a session that is not this member's (or another store's widget)",
);
const eventParameters = parametersOf(z.object({ eventId: eventIdParam }), 'path');
const paymentParameters = parametersOf(z.object({ paymentId: payments.paymentIdParam }), 'path');
const json = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: jsonSchema(schema) } } });
const ok = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema: jsonSchema(schema, 'output') } },
});
const created = (description: string, schema: z.ZodType, links: Record<string, object> = {}) => ({
  ...ok(description, schema),
  links,
  headers: {
    'Idempotent-Replayed': {
      description: 'Present on a replay: this is the response to the first request with this Idempotency-Key',
      schema: { type: 'string', enum: ['true'] },
    },
  },
});

const webhook = (event: (typeof webhookEvents)[number], summary: string) => ({
  post: {
    summary,
    description:
      'POSTed to each of your endpoints that listens to the event; retried with exponential backoff until it answers 2xx. ' +
      'Check `Tessera-Signature` before trusting the body.',
    parameters: [
      {
        name: 'Tessera-Signature',
        in: 'header',
        required: true,
        description:
          '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint\'s secret>`: recompute it over the ' +
          'raw body, compare in constant time, and refuse an old `t` (replays).',
        schema: { type: 'string', pattern: '^t=[0-9]+,v1=[0-9a-f]{64}$' },
      },
      {
        name: 'Tessera-Delivery',
        in: 'header',
        required: true,
        description: 'The delivery, the same on every retry: deduplicate on it',
        schema: { type: 'string', format: 'uuid' },
      },
    ],
    requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(webhookEnvelope(event), 'output') } } },
    responses: { '2XX': { description: 'Received; any other answer, or none within 10 seconds, is retried' } },
  },
});
const webhookSummaries: Record<(typeof webhookEvents)[number], string> = {
  'points.earned': 'A member earned points at your store (points and bonus points of one event)',
  'member.tier_changed': 'An event of yours lifted a member to a higher tier',
  'redemption.completed': 'A member redeemed through you: an instant reward was burned, or a reward to ship was delivered',
  'points.expired': 'Points you funded expired (breakage attributed to you)',
  'challenge.completed':
    "A member completed a challenge (yours, or the program's by a purchase of yours); its reward was paid once for that member and period",
  'badge.awarded':
    "A member earned a badge (yours, or the program's by a purchase of yours): by its rule or by completing a challenge; once per member and badge",
  'badge.revoked':
    'A refund left a member short of what earned a badge you were told of (its rule, or a challenge whose reward was taken back): the badge was taken back',
  'instant_win.won':
    "A member's purchase won a prize in a winning-moments campaign (yours, or the program's by a purchase of yours); the prize was paid with the purchase",
};

/** Operations that take what another one answered, for clients and schema-driven tools to follow. */
const link = (operationId: string, parameters: Record<string, string>) => ({ operationId, parameters });
const eventLinks = {
  getEvent: link('getEvent', { eventId: '$response.body#/id' }),
  refundEvent: link('refundEvent', { eventId: '$response.body#/id' }),
  getMember: link('getMember', { externalId: '$response.body#/member/externalId' }),
  getMemberTransactions: link('getMemberTransactions', { externalId: '$response.body#/member/externalId' }),
  redeemReward: link('redeemReward', { externalId: '$response.body#/member/externalId' }),
  transferPoints: link('transferPoints', { externalId: '$response.body#/member/externalId' }),
};

/** The OpenAPI 3.1 document of the partner API; requests and responses come from the validators and response schemas. */
export function openApiDocument(serverUrl = '/api/v1') {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera partner API',
      version: '1.0.0',
      description:
        'Issue points for what members do at your store, read their balance and history, redeem rewards. ' +
        'You address a member by your own id for them (`externalId`): your first event for an id you never sent enrols them as your ' +
        'customer; when you send an email or phone you verified yourself (`emailVerified`, `phoneVerified`), your customer is linked ' +
        'to the member of the coalition who proved the same address. Another store never reads your customers by your ids. ' +
        "Earning is your call; spending a member's points needs the member (`Member-Authorization`). " +
        'Authenticate with `Authorization: Bearer <API key>`. Writes are `application/json` (415 otherwise) and need an ' +
        '`Idempotency-Key`. Strings never contain control characters. Errors are RFC 9457 problem documents with a `code` ' +
        'and, for a field at fault, `errors: [{field, message}]`. A method a path does not take is a 405 with `Allow`.',
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
            code: { type: 'string', enum: problemCodes(), description: 'What went wrong, for programs to branch on' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  field: { type: 'string', description: 'Where the client sent it: `body.reward`, `path.externalId`, `query.cursor`, ...' },
                  message: { type: 'string' },
                },
                required: ['field', 'message'],
              },
            },
          },
          required: ['title', 'status', 'code'],
        },
      },
    },
    paths: {
      '/events': {
        post: {
          operationId: 'recordEvent',
          summary: 'Record what a member did and earn points',
          description:
            'Enrols an unknown member (with the registration bonus). The answer lists the points per rule. ' +
            "An amount in another currency than the program's is converted at the exchange rate the operator recorded for when the event happened (shown in the explanation); without one the event is refused (422 `exchange_rate_missing`, field `currency`). " +
            'A purchase at a store of a store-credit program also earns cashback in money (`cashback`).',
          parameters: [idempotencyKey],
          requestBody: json(eventBody),
          responses: { 201: created('Recorded', responses.recordedEvent, eventLinks), ...writeErrors },
        },
      },
      '/events/{eventId}': {
        get: {
          operationId: 'getEvent',
          summary: 'One of your events: what it earned and why, and what was refunded since',
          parameters: eventParameters,
          responses: { 200: ok('The event', responses.eventView), 404: problem(404, 'Not an event of yours'), ...errors },
        },
      },
      '/events/{eventId}/refunds': {
        post: {
          operationId: 'refundEvent',
          summary: 'Refund a purchase in full (send `{}`) or by line items; points are taken back in proportion',
          parameters: [...eventParameters, idempotencyKey],
          requestBody: json(refundBody),
          responses: { 201: created('Refunded', responses.refund), 404: problem(404, 'Not an event of yours'), ...writeErrors },
        },
      },
      '/members/{externalId}': {
        get: {
          operationId: 'getMember',
          summary: "A member's balance, tier and points expiring in 30/60/90 days",
          parameters: memberParameters,
          responses: { 200: ok('The member', responses.memberSummary), 404: notFound, ...errors },
        },
      },
      '/instant-wins/{campaignId}': {
        get: {
          operationId: 'getInstantWinCampaign',
          summary: 'A winning-moments campaign: its budget left, its seed commitment, and once over its seed and every draw to replay',
          description:
            "Yours or the program's; another partner's answers 404 (`instant_win_not_found`). Each draw's random value is " +
            'HMAC-SHA256(seed, purchase id), its first 48 bits as a fraction of 2^48; winning times are drawn the same way with keys `moment:0`, `moment:1`, ….',
          parameters: [
            { name: 'campaignId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            ...parametersOf(instantWinQuery, 'query'),
          ],
          responses: { 200: ok('The campaign', responses.instantWinCampaign), 404: notFound, ...errors },
        },
      },
      '/members/{externalId}/challenges': {
        get: {
          operationId: 'getMemberChallenges',
          summary: 'The live challenges open to you that a member takes part in, with their progress in the current period',
          description: "The program's challenges and your own; another partner's private challenges are never listed.",
          parameters: memberParameters,
          responses: { 200: ok('The challenges', responses.memberChallenges), 404: notFound, ...errors },
        },
      },
      '/members/{externalId}/challenges/{challengeId}': {
        get: {
          operationId: 'getMemberChallenge',
          summary: "One challenge and a member's progress on it",
          description: "Another partner's private challenge answers 404 (`challenge_not_found`), as one that does not exist.",
          parameters: [
            ...memberParameters,
            { name: 'challengeId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          ],
          responses: { 200: ok('The challenge', responses.memberChallenge), 404: notFound, ...errors },
        },
      },
      '/members/{externalId}/badges': {
        get: {
          operationId: 'getMemberBadges',
          summary: 'The badges a member earned, with their image, name, description and date',
          description: "The program's badges and your own; another partner's private badges are never listed.",
          parameters: memberParameters,
          responses: { 200: ok('The badges', responses.memberBadges), 404: notFound, ...errors },
        },
      },
      '/leaderboards/{leaderboardId}': {
        get: {
          operationId: 'getLeaderboard',
          summary: "A leaderboard's top ten in a period, and a member's own rank",
          description:
            "The program's leaderboards and your own; another partner's answers 404 (`leaderboard_not_found`), as one that does not exist. " +
            'Members show by the display name they agreed to show, else as "Anonymous member". A period that ended shows its frozen, final ranking.',
          parameters: [
            { name: 'leaderboardId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'period', in: 'query', required: false, schema: { type: 'string', example: '2026-W48' } },
            { name: 'member', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: { 200: ok('The ranking', responses.leaderboard), 404: notFound, ...errors },
        },
      },
      '/members/{externalId}/receipts': {
        post: {
          operationId: 'sendReceipt',
          summary: "Send a photo or scan of a member's receipt: Tessera reads it and pays its points as a purchase",
          description:
            'The body is the image itself (`image/jpeg` or `image/png`, at most 10 MB), not JSON. The answer comes at once with the receipt in `reading`; ' +
            'it is read (OCR), matched to a store and paid through the earning rules, or sent to the care team when it is hard to read, from an unknown store or sent before. ' +
            'Follow it with `GET /members/{externalId}/receipts/{receiptId}`. The same key and image replay the first answer.',
          parameters: [...memberParameters, idempotencyKey],
          requestBody: {
            required: true,
            content: {
              'image/jpeg': { schema: { type: 'string', format: 'binary' } },
              'image/png': { schema: { type: 'string', format: 'binary' } },
            },
          },
          responses: {
            ...writeErrors,
            202: created('Received, being read', responses.receipt),
            404: notFound,
            413: problem(413, 'The image is over 10 MB'),
            415: problem(415, 'Content-Type is not image/jpeg or image/png'),
            503: problem(503, 'This installation keeps no receipt images'),
          },
        },
      },
      '/members/{externalId}/receipts/{receiptId}': {
        get: {
          operationId: 'getReceipt',
          summary: 'A receipt you sent for a member: whether it paid, waits for the care team, or was rejected and why',
          parameters: [...memberParameters, { name: 'receiptId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { 200: ok('The receipt', responses.receipt), 404: notFound, ...errors },
        },
      },
      '/members/{externalId}/transactions': {
        get: {
          operationId: 'getMemberTransactions',
          summary: "A member's movements, newest first, by cursor",
          description: 'Details of movements caused by other partners are left out.',
          parameters: [...memberParameters, ...parametersOf(transactionsQuery, 'query')],
          responses: { 200: ok('A page', responses.historyPage), 404: notFound, ...errors },
        },
      },
      '/members/{externalId}/redemptions': {
        post: {
          operationId: 'redeemReward',
          summary: 'Spend points on a reward',
          description: 'Instant rewards are burned and answer a code; rewards to fulfil hold the points until shipped.',
          parameters: [...memberParameters, idempotencyKey, memberAuthorization],
          requestBody: json(redemptionBody),
          responses: { 201: created('Redeemed', responses.redemption), 403: consentRefused, 404: notFound, ...writeErrors },
        },
      },
      '/members/{externalId}/transfers': {
        post: {
          operationId: 'transferPoints',
          summary: 'Give points to another member, within the program limits per transfer and per day',
          parameters: [...memberParameters, idempotencyKey, memberAuthorization],
          requestBody: json(memberTransferBody),
          responses: { 201: created('Transferred', responses.memberTransfer), 403: consentRefused, 404: notFound, ...writeErrors },
        },
      },
      '/members/{externalId}/spending-codes': {
        post: {
          operationId: 'requestSpendingCode',
          summary: 'Send the member a one-time code to give you at the checkout, so that you may spend their points once',
          description:
            'The code goes to an address the member proved (their email unless you ask for `sms`), names your store, and works once, at your store, for 10 minutes and 5 tries; you then send it as `Member-Authorization: Code <digits>`. At most 5 codes an hour per member at your store (429). A member with no proved address cannot get one (422 `member_unreachable`): they add one by signing in to their dashboard.',
          parameters: [...memberParameters, idempotencyKey],
          requestBody: json(spendingCodeBody),
          responses: {
            201: created('Sent', responses.spendingCode),
            404: notFound,
            503: problem(503, 'This installation sends no codes'),
            ...writeErrors,
            429: problem(
              429,
              "Too many codes for this member at your store this hour or today (`too_many_codes`: 5 an hour, 10 a day), or the key's rate limit",
            ),
          },
        },
      },
      '/widget-sessions': {
        post: {
          operationId: 'createWidgetSession',
          summary: 'A token for the earn widget of one signed-in member (valid one hour)',
          description: 'Ask from your server; put the element in your page with `<script src="/widget.js">`.',
          parameters: [idempotencyKey],
          requestBody: json(widgetSessionBody),
          responses: {
            201: created('The token', responses.widgetSession, {
              getWidgetState: link('getWidgetState', { token: '$response.body#/token' }),
            }),
            ...writeErrors,
          },
        },
      },
      '/wallet': {
        get: {
          operationId: 'getWallet',
          summary: "Your wallet: points you can still issue, and today's and this month's issuance",
          responses: { 200: ok('The wallet', responses.wallet), ...errors },
        },
      },
      '/shipments': {
        servers: [{ url: '/api/supplier/v1', description: "The reward supplier's callback (REWARD_SUPPLIER=http)" }],
        post: {
          tags: ['Reward suppliers'],
          operationId: 'reportShipment',
          summary: 'A supplier reports an order shipped, or that it cannot be delivered',
          description:
            'For the supplier of an installation with REWARD_SUPPLIER=http. Tessera POSTs each order to `<SUPPLIER_URL>/orders` ' +
            '(`{reference, reward: {code, name}, quantity, orderedAt, recipient: {name, email, address}}`, where `address` is ' +
            '`{street, postalCode, city, country}` (ISO 3166-1 alpha-2) as the member gave it on their dashboard, or null for a ' +
            'reward redeemed through a store; answered `{orderId}`, or 422 when it ' +
            'cannot be supplied) and a cancellation to `<SUPPLIER_URL>/orders/{reference}/cancellation` (by reference, since the answer to an order may be lost; answered `{status: "cancelled"}` ' +
            'or `{status: "shipped", carrier, trackingNumber}`), signed and with the reference as Idempotency-Key. The supplier reports ' +
            'here, signed with the same secret. A report is recorded once: the same report again answers `already_recorded`; one ' +
            'after Tessera cancelled the order takes the points again (`points_taken`) or flags the redemption for care (`needs_care`).',
          security: [{ supplierSignature: [] }],
          requestBody: json(shipmentReportBody),
          responses: {
            200: ok('Recorded', responses.shipmentReport),
            400: problem(400, 'Invalid report: `errors` names each field at fault'),
            401: problem(401, 'Tessera-Signature missing, wrong or more than five minutes old'),
            404: problem(404, 'No order with this reference was placed with this supplier'),
            409: problem(409, 'The order was already reported otherwise (failed, then shipped)'),
            415: problem(415, 'The report is not application/json'),
          },
        },
      },
      '/rewards': {
        get: {
          operationId: 'listRewards',
          summary: 'The rewards catalog',
          responses: { 200: ok('The catalog', responses.rewards), ...errors },
        },
      },
      '/widget/v1/state': {
        // Served beside the API, not under it: the widget calls it from shoppers' browsers.
        servers: [{ url: '/' }],
        get: {
          operationId: 'getWidgetState',
          summary: "What the earn widget shows: the member's points and what the cart would earn",
          description: 'Public and CORS-open: the token from POST /widget-sessions is the credential.',
          security: [],
          parameters: [
            ...parametersOf(widgetStateQuery, 'query'),
            {
              name: 'Member-Authorization',
              in: 'header',
              required: false,
              description: "`Bearer <session>` from POST /widget/v1/sign-in/code: the state is then the signed-in member's",
              schema: { type: 'string' },
            },
          ],
          responses: {
            200: ok('The state', responses.widgetState),
            400: errors[400],
            401: problem(401, 'Unknown or expired widget token'),
          },
        },
      },
      '/widget/v1/sign-in': {
        servers: [{ url: '/' }],
        post: {
          operationId: 'widgetSignIn',
          summary: 'The widget asks for a sign-in code for the member at the checkout',
          description:
            "Public and CORS-open, bound to the store's widget token. The same answer whether or not the address belongs to a member " +
            '(signing in enrols a newcomer). At most 5 codes an hour to one address, and a limit per network (429).',
          security: [],
          requestBody: json(widgetSignInBody),
          responses: {
            202: ok('Sent, if the address can receive it', responses.widgetSignIn),
            400: errors[400],
            401: problem(401, 'Unknown or expired widget token'),
            429: problem(
              429,
              'Too many codes to this address (`too_many_codes`: 5 an hour, 15 a day), or too many attempts from this network',
            ),
            503: problem(503, 'This installation sends no codes'),
          },
        },
      },
      '/widget/v1/sign-in/code': {
        servers: [{ url: '/' }],
        post: {
          operationId: 'widgetSignInWithCode',
          summary: "The member's code: a session of the member at this store, and the store's customer linked to them",
          description:
            "The session (`Member-Authorization: Bearer <session>`) lets this store spend the member's points, and no other store; " +
            'the widget hands it to the page with the `tessera-use-points` event when the member presses "Use my points". The store\'s ' +
            "id for its customer (the widget token's) now reaches the member; a provisional customer of the store is merged into them.",
          security: [],
          requestBody: json(widgetSignInCodeBody),
          responses: {
            201: ok('Signed in', responses.widgetMemberSession),
            400: errors[400],
            401: problem(401, 'Unknown or expired widget token'),
            403: problem(403, 'The code is wrong, used, expired or out of tries (`member_authorization_refused`)'),
            429: problem(429, 'Too many attempts from this network'),
            503: problem(503, 'This installation sends no codes'),
          },
        },
      },
      '/widget/v1/payment-quote': {
        servers: [{ url: '/' }],
        post: {
          operationId: 'widgetPaymentQuote',
          summary: "What the signed-in member may pay with points on the widget's cart: the quote and their usable points",
          description:
            "Public and CORS-open, bound to the store's widget token and a member session this store's widget opened " +
            "(`Member-Authorization: Bearer <session>`). Nothing is held: the store's server authorizes the payment (POST /payments).",
          security: [],
          requestBody: json(widgetPaymentQuoteBody),
          responses: {
            200: ok('The quote', payments.paymentQuote),
            400: errors[400],
            401: problem(401, 'Unknown or expired widget token, or no member session of this store'),
            422: problem(422, "`payment_currency_mismatch`: not the program's currency"),
          },
        },
      },
      '/payments/quote': {
        post: {
          operationId: 'quotePayment',
          summary: 'How many points an order may take: its eligible amount, the least and most points, and what the member can use',
          description:
            "Nothing is held. Lines in categories the program excludes are left out; points pay at most the program's share of the rest, " +
            "at the program's point value, in its currency.",
          requestBody: json(payments.paymentQuoteBody),
          responses: {
            200: ok('The quote', payments.paymentQuote),
            404: notFound,
            422: problem(
              422,
              "`payment_currency_mismatch`: not the program's currency; `payment_refused`: lines that add up to more than the order",
            ),
            ...errors,
            415: writeErrors[415],
          },
        },
      },
      '/payments': {
        post: {
          operationId: 'authorizePayment',
          summary: "Authorize paying part of an order with the member's points: they are held until you capture or void",
          description:
            'Like a card authorization: the points are held (not spendable elsewhere) until `capture`, `void`, or `expiresInMinutes` ' +
            "(15 by default), when they go back to the member by themselves (status `expired`). Needs the member's say " +
            '(`Member-Authorization`). Refused with 422 `payment_refused` under the least points, over the largest share of the ' +
            "eligible amount, or when no line may be paid with points; `payment_currency_mismatch` in another currency than the program's; " +
            "`insufficient_funds` over the member's available points.",
          parameters: [idempotencyKey, memberAuthorization],
          requestBody: json(payments.paymentBody),
          responses: {
            201: created('Authorized', payments.payment, {
              getPayment: link('getPayment', { paymentId: '$response.body#/id' }),
              capturePayment: link('capturePayment', { paymentId: '$response.body#/id' }),
              voidPayment: link('voidPayment', { paymentId: '$response.body#/id' }),
            }),
            403: consentRefused,
            404: notFound,
            ...writeErrors,
          },
        },
      },
      '/payments/{paymentId}': {
        get: {
          operationId: 'getPayment',
          summary: 'One of your payments: its status, points and money authorized, captured and refunded, and its refunds',
          parameters: paymentParameters,
          responses: {
            200: ok('The payment', payments.payment),
            404: problem(404, 'Not a payment of yours (`payment_not_found`)'),
            ...errors,
          },
        },
      },
      '/payments/{paymentId}/capture': {
        post: {
          operationId: 'capturePayment',
          summary: 'Take the authorized points, all or part (`points`), once; the rest go back to the member',
          parameters: [...paymentParameters, idempotencyKey],
          requestBody: json(payments.capturePaymentBody),
          responses: {
            200: ok('Captured', payments.payment),
            404: problem(404, 'Not a payment of yours (`payment_not_found`)'),
            ...writeErrors,
            409: problem(
              409,
              '`payment_already_captured`: captured before (refund it instead); `payment_not_authorized`: voided or expired; or an Idempotency-Key reused',
            ),
            422: problem(422, '`payment_over_capture`: more points than authorized'),
          },
        },
      },
      '/payments/{paymentId}/void': {
        post: {
          operationId: 'voidPayment',
          summary: 'Let an authorization go: every held point goes back to the member (send `{}`)',
          parameters: [...paymentParameters, idempotencyKey],
          requestBody: json(payments.voidPaymentBody),
          responses: {
            200: ok('Voided', payments.payment),
            404: problem(404, 'Not a payment of yours (`payment_not_found`)'),
            ...writeErrors,
            409: problem(
              409,
              '`payment_already_captured`, or `payment_not_authorized` (voided or expired already), or an Idempotency-Key reused',
            ),
          },
        },
      },
      '/payments/{paymentId}/refunds': {
        post: {
          operationId: 'refundPayment',
          summary:
            'Give captured points back, all that is left or `points`, as many times as needed: they return to the lots they came from',
          parameters: [...paymentParameters, idempotencyKey],
          requestBody: json(payments.paymentRefundBody),
          responses: {
            201: created('Refunded', payments.payment),
            404: problem(404, 'Not a payment of yours (`payment_not_found`)'),
            ...writeErrors,
            409: problem(409, '`payment_not_captured`: authorized, voided or expired, never captured; or an Idempotency-Key reused'),
            422: problem(422, '`payment_over_refund`: more than the captured points not refunded yet'),
          },
        },
      },
    },
    webhooks: Object.fromEntries(webhookEvents.map((event) => [event, webhook(event, webhookSummaries[event])])),
  };
}
