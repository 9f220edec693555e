import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Bonus,
  Badge,
  Challenge,
  EarningRule,
  MemberLink,
  ProgramSettings,
  Reward,
  Tier,
  transferKinds,
  WebhookDelivery,
  WebhookEndpoint,
  webhookEvents,
  type WebhookEvent,
} from '../entities/index.js';
import { apiCodes, titleOfCode } from '../api/problem.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { expireDueLots } from '../loyalty/expiry.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { awardRuleBadges } from '../loyalty/engagement/badge-awards.js';
import { saveInstantWinCampaign } from '../loyalty/engagement/instant-win-form.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { webhookEnvelope } from '../loyalty/webhook-events.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram, days } from './support/program.js';

/** Bad input never reaches a 500, and the OpenAPI document says what the server does (issue 9, point 13). */

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
const servers: Server[] = [];
let origin: string;
let shop: { id: string; key: string };
let cafe: { id: string; key: string };
/** Parsed JSON, read by path in the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
let document: Json;

async function serve(rateLimitPerMinute?: number): Promise<string> {
  const app = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger, rateLimitPerMinute } });
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function partnerWithKey(points: number) {
  const { partner } = await p.partner(points);
  const { secret } = await issueApiKey(db.dataSource.manager, partner.id, 'test');
  return { id: partner.id, key: secret };
}

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, {
    id: 1,
    expiryPolicy: { mode: 'period', months: 1 },
    transferMaxPoints: 100,
    transferMaxPointsPerDay: 150,
  });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Bonus, { name: 'welcome', moment: 'registration', points: 50 });
  await m.insert(Tier, { code: 'gold', name: 'Gold', threshold: 5_000, multiplier: 1 });
  await m.insert(Reward, [{ code: 'coffee', name: 'Coffee voucher', pointsPrice: 100 }]);
  origin = await serve();
  shop = await partnerWithKey(100_000);
  cafe = await partnerWithKey(100_000);
  // Queued only (no dispatcher here): the deliveries show what a partner would receive.
  await m.insert(WebhookEndpoint, { partnerId: shop.id, url: 'http://127.0.0.1:9/hooks', events: [...webhookEvents], secret: 'whsec' });
  document = await (await fetch(`${origin}/api/openapi.json`)).json();
});
afterAll(async () => {
  for (const server of servers) server.close();
  await db.drop();
});

interface Call {
  key?: string;
  idempotencyKey?: string;
  body?: unknown;
  raw?: string;
  /** Overrides the `application/json` sent with a body; null sends none. */
  contentType?: string | null;
  base?: string;
}

/** A session of the member the shop knows by this id in a path; none when the id names nobody (or could not be stored). */
async function sessionOf(encodedId: string): Promise<string | null> {
  try {
    const link = await db.dataSource.manager.findOneBy(MemberLink, { partnerId: shop.id, customerId: decodeURIComponent(encodedId) });
    return link && (await openMemberSession(db.dataSource.manager, { memberId: link.memberId, partnerId: null })).token;
  } catch {
    return null;
  }
}

async function call(method: string, path: string, { key = shop.key, idempotencyKey, body, raw, contentType, base }: Call = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (contentType !== null && (payload !== undefined || contentType)) headers['content-type'] = contentType ?? 'application/json';
  if (method === 'POST') headers['idempotency-key'] = idempotencyKey ?? randomUUID();
  const debit = method === 'POST' && /^\/members\/([^/]+)\/(redemptions|transfers)$/.exec(path);
  if (debit && key === shop.key) {
    // The member agrees (a session of theirs) when the store knows them: these tests are about what the store sends.
    const token = await sessionOf(debit[1]!);
    if (token) headers['member-authorization'] = `Bearer ${token}`;
  }
  const response = await fetch(`${base ?? `${origin}/api/v1`}${path}`, { method, headers, body: payload });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    headers: response.headers,
    text,
    json: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
  };
}
type Answer = Awaited<ReturnType<typeof call>>;

const purchase = (externalId: string, amountCents = 4_250, extra: object = {}) => ({
  member: { externalId, email: `${externalId}@example.test` },
  type: 'purchase',
  amountCents,
  currency: 'EUR',
  ...extra,
});

type JsonSchema = Parameters<typeof z.fromJSONSchema>[0];

/** Resolves `#/...` references of the document. */
function resolve(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(resolve);
  if (!node || typeof node !== 'object') return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const target = ref
      .slice(2)
      .split('/')
      .reduce((at, key) => at?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], document);
    return resolve(target);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
}

/** The schema the document gives for a response, as a validator. */
function documentedResponse(method: string, template: string, status: number): z.ZodType {
  const responses = document.paths[template]?.[method.toLowerCase()]?.responses;
  expect(responses, `${method} ${template} is documented`).toBeDefined();
  const response = responses[status];
  expect(response, `${method} ${template} documents ${status}`).toBeDefined();
  const [content] = Object.values(resolve(response.content) as Record<string, { schema?: object }>);
  expect(content?.schema, `${method} ${template} ${status} has a schema`).toBeDefined();
  return z.fromJSONSchema(content!.schema as JsonSchema);
}

/** The answer is what the document says for this operation and status. */
function expectDocumented(answer: Answer, method: string, template: string) {
  const result = documentedResponse(method, template, answer.status).safeParse(answer.json);
  expect(result.error?.issues ?? [], `${method} ${template} ${answer.status}: ${answer.text}`).toEqual([]);
}

const documentedCodes = () => document.components.schemas.Problem.properties.code.enum as string[];

/** A problem document with a code the OpenAPI document lists, and no stack trace. */
function expectProblem(answer: Answer, status: number, code?: string) {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.type).toContain('application/problem+json');
  expect(answer.json).toMatchObject({ status, title: expect.any(String), code: expect.any(String) });
  if (code) expect(answer.json.code).toBe(code);
  expect(documentedCodes()).toContain(answer.json.code);
  expect(answer.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

const fields = (answer: Answer) => (answer.json.errors as { field: string }[]).map((e) => e.field);

describe('control characters', () => {
  it('refuses a NUL or any other control character in a string with a 400 naming the field, and writes nothing', async () => {
    const event = await call('POST', '/events', {
      body: purchase('ctl-bob', 3_000, { lines: [{ reference: 'A', quantity: 3, unitPriceCents: 1_000 }] }),
    });
    expect(event.status).toBe(201);
    const cases: [string, string, unknown, string][] = [
      ['POST', '/events', purchase('ctl\u0000ann'), 'body.member.externalId'],
      [
        'POST',
        '/events',
        purchase('ctl-ann', 1_000, { lines: [{ reference: 'A\u0000', quantity: 1, unitPriceCents: 1_000 }] }),
        'body.lines.0.reference',
      ],
      ['POST', '/events', purchase('ctl-ann', 1_000, { pointOfSale: 'ams\u007f' }), 'body.pointOfSale'],
      ['POST', '/events', { member: { externalId: 'ctl-ann', phone: '+31 6 1234\n5678' }, type: 'review' }, 'body.member.phone'],
      ['POST', '/members/ctl-bob/transfers', { to: 'ctl\u0000cy', points: 1 }, 'body.to'],
      ['POST', '/members/ctl-bob/redemptions', { reward: 'coffee\u0000' }, 'body.reward'],
      ['POST', '/members/ctl%00bob/redemptions', { reward: 'coffee' }, 'path.externalId'],
      ['POST', '/widget-sessions', { externalId: 'ctl\u001fbob' }, 'body.externalId'],
      ['POST', `/events/${event.json.id}/refunds`, { lines: [{ reference: 'A\u0000', quantity: 1 }] }, 'body.lines.0.reference'],
      ['GET', '/members/ctl%00bob', undefined, 'path.externalId'],
      ['GET', '/members/ctl%7Fbob/transactions', undefined, 'path.externalId'],
      ['GET', '/members/ctl-bob/transactions?cursor=%00', undefined, 'query.cursor'],
    ];
    for (const [method, path, body, field] of cases) {
      const answer = await call(method, path, { body });
      expectProblem(answer, 400, 'invalid_request');
      expect(fields(answer), `${method} ${path}`).toContain(field);
    }
    // A lone UTF-16 surrogate is no text: JSON can carry it escaped, PostgreSQL cannot store it.
    const surrogates: [string, string, unknown, string][] = [
      ['POST', '/events', { ...purchase('sur-ann'), member: { externalId: 'sur\ud800ann' } }, 'body.member.externalId'],
      ['POST', '/events', purchase('sur-ann', 1_000, { pointOfSale: 'ams\udfff' }), 'body.pointOfSale'],
      ['POST', '/members/ctl-bob/transfers', { to: 'sur\udc00cy', points: 1 }, 'body.to'],
      ['POST', '/members/ctl-bob/redemptions', { reward: '\ud83dcoffee' }, 'body.reward'],
      // Half a character in the URL is no UTF-8 at all: the path is at fault.
      ['POST', '/members/sur%ED%A0%80bob/redemptions', { reward: 'coffee' }, 'path'],
    ];
    for (const [method, path, body, field] of surrogates) {
      const answer = await call(method, path, { body });
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(fields(answer), `${method} ${path}`).toContain(field);
    }
    // Well-formed text beyond the BMP is welcome.
    const smiling = { ...purchase('sur-bob'), member: { externalId: 'sur-\ud83d\ude00' } };
    expect((await call('POST', '/events', { body: smiling })).status).toBe(201);
    const widget = await call('GET', '/widget/v1/state?token=abcdefghij%00klm', { base: origin });
    expectProblem(widget, 400, 'invalid_request');
    expect(fields(widget)).toEqual(['query.token']);

    expectProblem(await call('GET', '/members/ctl-ann'), 404, 'member_not_found');
    const bob = await call('GET', '/members/ctl-bob');
    expect(bob.json.balance.available).toBe(80);
  });
});

describe('history cursor', () => {
  it('answers a crafted or garbage cursor with a 400 instead of a 500 or the first page', async () => {
    for (let i = 0; i < 3; i++) await call('POST', '/events', { body: purchase('cur-ann', 1_000 * (i + 1)) });
    const first = await call('GET', '/members/cur-ann/transactions?limit=2');
    expect(first.status).toBe(200);
    const next = await call('GET', `/members/cur-ann/transactions?limit=2&cursor=${first.json.nextCursor}`);
    expect(next.json.entries.map((e: { points: number }) => e.points)).toEqual([50, 10]);

    const encoded = (text: string) => Buffer.from(text).toString('base64url');
    for (const cursor of [encoded('99999999999999999999999'), 'zzz', encoded('-5'), encoded('12abc'), encoded('0'), '!!']) {
      const answer = await call('GET', `/members/cur-ann/transactions?cursor=${encodeURIComponent(cursor)}`);
      expectProblem(answer, 400, 'invalid_request');
      expect(fields(answer), cursor).toEqual(['query.cursor']);
    }
  });

  it('takes a page size written as the integer the document says, and nothing else', async () => {
    await call('POST', '/events', { body: purchase('lim-ann') });
    for (const limit of ['1e2', '0x10', '%205', '2.0', '', '-1', '0', '101', 'ten']) {
      const answer = await call('GET', `/members/lim-ann/transactions?limit=${limit}`);
      expectProblem(answer, 400, 'invalid_request');
      expect(fields(answer), limit).toEqual(['query.limit']);
    }
    expect((await call('GET', '/members/lim-ann/transactions?limit=100')).status).toBe(200);
  });
});

describe('content type', () => {
  it('answers a write without application/json with a 415 that uses up nothing', async () => {
    const key = randomUUID();
    const raw = JSON.stringify(purchase('ct-ann'));
    const asText = await call('POST', '/events', { raw, contentType: 'text/plain', idempotencyKey: key });
    expectProblem(asText, 415, 'unsupported_media_type');
    expect(fields(asText)).toEqual(['header.Content-Type']);
    expectProblem(await call('POST', '/events', { raw, contentType: null, idempotencyKey: key }), 415, 'unsupported_media_type');
    expectProblem(await call('GET', '/members/ct-ann'), 404);

    const json = await call('POST', '/events', { raw, contentType: 'application/json; charset=utf-8', idempotencyKey: key });
    expect(json.status).toBe(201);
    expect(json.headers.get('idempotent-replayed')).toBeNull();

    // A full refund is a write like any other: it sends `{}`.
    expectProblem(await call('POST', `/events/${json.json.id}/refunds`, { contentType: null }), 415, 'unsupported_media_type');
    expect((await call('POST', `/events/${json.json.id}/refunds`, { body: {} })).json).toMatchObject({ pointsReversed: 42 });
  });
});

describe('methods', () => {
  it('answers an unsupported method on an existing path with a 405 and the methods it allows', async () => {
    const event = randomUUID();
    const cases: [string, string, string][] = [
      ['GET', '/events', 'POST'],
      ['DELETE', '/wallet', 'GET, HEAD'],
      ['PUT', '/members/x', 'GET, HEAD'],
      ['POST', '/members/x/transactions', 'GET, HEAD'],
      ['GET', `/events/${event}/refunds`, 'POST'],
      ['PATCH', `/events/${event}`, 'GET, HEAD'],
      ['DELETE', '/members/x/redemptions', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const answer = await call(method, path);
      expectProblem(answer, 405, 'method_not_allowed');
      expect(answer.headers.get('allow'), `${method} ${path}`).toBe(allow);
    }
    const widget = await call('POST', '/widget/v1/state', { base: origin, body: {} });
    expectProblem(widget, 405, 'method_not_allowed');
    expect(widget.headers.get('allow')).toBe('GET, HEAD');
    expectProblem(await call('GET', '/nowhere'), 404, 'not_found');
  });
});

describe('refusals', () => {
  it('names the field the client sent in every 422, with the same errors array as a 400, never an account code', async () => {
    await call('POST', '/events', { body: purchase('ref-ann', 20_000) });
    await call('POST', '/events', { body: purchase('ref-bob', 100) });

    const unknownReward = await call('POST', '/members/ref-ann/redemptions', { body: { reward: 'yacht' } });
    expectProblem(unknownReward, 422, 'redemption_refused');
    expect(unknownReward.json.errors).toEqual([{ field: 'body.reward', message: expect.stringContaining('yacht') }]);

    const toSelf = await call('POST', '/members/ref-ann/transfers', { body: { to: 'ref-ann', points: 1 } });
    expectProblem(toSelf, 422, 'transfer_refused');
    expect(fields(toSelf)).toEqual(['body.to']);
    const toNobody = await call('POST', '/members/ref-ann/transfers', { body: { to: 'ref-nobody', points: 1 } });
    expectProblem(toNobody, 404, 'member_not_found');
    expect(fields(toNobody)).toEqual(['body.to']);
    const tooMany = await call('POST', '/members/ref-ann/transfers', { body: { to: 'ref-bob', points: 101 } });
    expectProblem(tooMany, 422, 'transfer_refused');
    expect(fields(tooMany)).toEqual(['body.points']);
    const unknownShop = await call('POST', '/events', { body: purchase('ref-ann', 100, { pointOfSale: 'nowhere' }) });
    expectProblem(unknownShop, 422, 'event_refused');
    expect(fields(unknownShop)).toEqual(['body.pointOfSale']);

    // The member spends what a purchase earned, then the purchase is refunded, in a program that refuses such refunds.
    await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { refundShortfall: 'refuse' });
    forgetProgramConfiguration(db.dataSource);
    const spent = await call('POST', '/events', { body: purchase('ref-cy', 10_000) });
    expect((await call('POST', '/members/ref-cy/redemptions', { body: { reward: 'coffee', quantity: 1 } })).status).toBe(201);
    const refund = await call('POST', `/events/${spent.json.id}/refunds`, { body: {} });
    await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { refundShortfall: 'debt' });
    forgetProgramConfiguration(db.dataSource);
    expectProblem(refund, 422, 'refund_refused');
    expect(refund.json.errors).toEqual(expect.any(Array));
    expect(refund.text).not.toMatch(/\b(member|partner|program|partner_wallet):/);
    expect(refund.text).not.toMatch(/Account /);

    for (const answer of [unknownReward, toSelf, tooMany, unknownShop, refund]) {
      for (const error of answer.json.errors) expect(error).toEqual({ field: expect.any(String), message: expect.any(String) });
    }
  });

  it('gives every problem a code that the OpenAPI document lists', async () => {
    expectProblem(await call('GET', '/wallet', { key: 'nope' }), 401, 'unauthorized');
    expectProblem(await call('GET', '/nowhere'), 404, 'not_found');
    expectProblem(await call('POST', '/events', { raw: '{"member": ' }), 400, 'invalid_request');
    expectProblem(await call('POST', '/events', { raw: JSON.stringify({ pad: 'x'.repeat(200_000) }) }), 413, 'body_too_large');
    expectProblem(await call('GET', '/members/%E0%A4%A'), 400, 'invalid_request');
    expectProblem(await call('GET', '/widget/v1/state?token=0123456789abc', { base: origin }), 401, 'unauthorized');
    const limited = `${await serve(1)}/api/v1`;
    expect((await call('GET', '/wallet', { base: limited })).status).toBe(200);
    expectProblem(await call('GET', '/wallet', { base: limited }), 429, 'rate_limited');

    expect(documentedCodes()).toEqual(expect.arrayContaining([...Object.keys(titleOfCode), ...Object.keys(apiCodes)]));
  });
});

describe('idempotency', () => {
  it('judges a replay on the parsed body: the same JSON with its keys in another order is a replay, not a 409', async () => {
    const key = randomUUID();
    const first = await call('POST', '/events', {
      idempotencyKey: key,
      raw: '{"member": {"externalId": "idem-ann", "email": "idem-ann@example.test"}, "type": "purchase", "amountCents": 1000, "currency": "EUR"}',
    });
    expect(first.status).toBe(201);
    const reordered = await call('POST', '/events', {
      idempotencyKey: key,
      raw: '{"currency":"EUR","amountCents":1000,"type":"purchase","member":{"email":"idem-ann@example.test","externalId":"idem-ann"}}',
    });
    expect(reordered.status).toBe(201);
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');
    expect(reordered.json).toEqual(first.json);
    expectProblem(await call('POST', '/events', { idempotencyKey: key, body: purchase('idem-ann', 2_000) }), 409, 'idempotency_key_reused');
    expect((await call('GET', '/members/idem-ann')).json.balance.available).toBe(60);
  });
});

describe('reading an event back', () => {
  it('answers its points, explanation and refunds to its partner, and 404 to another', async () => {
    const recorded = await call('POST', '/events', {
      body: purchase('ev-ann', 3_000, { lines: [{ reference: 'A', quantity: 3, unitPriceCents: 1_000 }], channel: 'store' }),
    });
    await call('POST', `/events/${recorded.json.id}/refunds`, { body: { lines: [{ reference: 'A', quantity: 1 }] } });
    const read = await call('GET', `/events/${recorded.json.id}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({
      id: recorded.json.id,
      type: 'purchase',
      member: { externalId: 'ev-ann' },
      amountCents: 3_000,
      currency: 'EUR',
      channel: 'store',
      lines: [{ reference: 'A', quantity: 3, unitPriceCents: 1_000 }],
      points: 30,
      bonusPoints: 50,
      totalPoints: 80,
      explanation: recorded.json.explanation,
      refundedCents: 1_000,
      remainingCents: 2_000,
      pointsReversed: 10,
    });
    expectDocumented(read, 'GET', '/events/{eventId}');

    const other = await call('GET', `/events/${recorded.json.id}`, { key: cafe.key });
    expectProblem(other, 404, 'event_not_found');
    expect(fields(other)).toEqual(['path.eventId']);
    const malformed = await call('GET', '/events/not-a-uuid');
    expectProblem(malformed, 400, 'invalid_request');
    expect(fields(malformed)).toEqual(['path.eventId']);
  });
});

describe('timestamps', () => {
  it('refuses an event whose dates could not be written in RFC 3339', async () => {
    const far = await call('POST', '/events', { body: purchase('ts-ann', 1_000, { occurredAt: '9999-12-31T23:59:59Z' }) });
    expectProblem(far, 400, 'invalid_request');
    expect(new Set(fields(far))).toEqual(new Set(['body.occurredAt']));
    // One rule for the future, whatever the distance: the program's (422), as the document says.
    const ahead = await call('POST', '/events', { body: purchase('ts-ann', 1_000, { occurredAt: days(3).toISOString() }) });
    expectProblem(ahead, 422, 'event_refused');
    expect(fields(ahead)).toEqual(['body.occurredAt']);
    const documented = JSON.stringify(document.paths['/events'].post);
    expect(documented).not.toMatch(/a day ahead/);
    expect(documented).toMatch(/at most 5 minutes after/);
    const backdated = await call('POST', '/events', { body: purchase('ts-ann', 1_000, { occurredAt: days(-3).toISOString() }) });
    expect(backdated.status).toBe(201);
    expect(backdated.json.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });
});

describe('the OpenAPI document', () => {
  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { responses?: Record<string, unknown>; parameters?: unknown[] }>)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, operation]) => ({ path, method, operation })),
    );
  const patterns = (schema: { pattern?: string; allOf?: { pattern?: string }[] }) =>
    [schema.pattern, ...(schema.allOf ?? []).map((s) => s.pattern)].filter((s): s is string => !!s).map((s) => new RegExp(s, 'u'));
  const accepts = (schema: object, value: string) => patterns(schema).every((pattern) => pattern.test(value));

  it('states the constraints the server enforces', async () => {
    const eventBody = resolve(document.paths['/events'].post.requestBody.content['application/json'].schema) as Json;
    expect(eventBody.dependentRequired).toEqual({ amountCents: ['currency'] });
    const strings = [
      eventBody.properties.member.properties.externalId,
      eventBody.properties.lines.items.properties.reference,
      eventBody.properties.pointOfSale,
      (resolve(document.paths['/members/{externalId}/transfers'].post.requestBody.content['application/json'].schema) as Json).properties
        .to,
      (resolve(document.paths['/members/{externalId}/redemptions'].post.requestBody.content['application/json'].schema) as Json).properties
        .reward,
      (resolve(document.paths['/members/{externalId}'].get.parameters) as Json[]).find((q) => q.name === 'externalId').schema,
    ];
    for (const schema of strings) {
      expect(accepts(schema, 'cust-42'), JSON.stringify(schema)).toBe(true);
      expect(accepts(schema, '   '), JSON.stringify(schema)).toBe(false);
      expect(accepts(schema, 'cust\u000042'), JSON.stringify(schema)).toBe(false);
      expect(accepts(schema, 'cust-42\n'), JSON.stringify(schema)).toBe(false);
    }
    const occurredAt = eventBody.properties.occurredAt;
    expect(occurredAt.format).toBe('date-time');
    expect(accepts(occurredAt, '2026-11-24T10:00:00Z')).toBe(true);
    expect(accepts(occurredAt, '9999-12-31T23:59:59Z')).toBe(false);
    const transferPoints = (
      resolve(document.paths['/members/{externalId}/transfers'].post.requestBody.content['application/json'].schema) as Json
    ).properties.points;
    expect(transferPoints.description).toMatch(/per transfer/);
    expect(transferPoints.description).toMatch(/per day/);

    for (const { path, method, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (status.startsWith('2')) expect((response as Json).content?.['application/json']?.schema, `${where} ${status}`).toBeDefined();
      }
      // Partners' writes; the supplier's shipment callback is idempotent by its order's reference, and the
      // widget's sign-in is the shopper's browser asking for a code, not a store's write; a payment's quote writes nothing.
      if (method === 'post' && !path.startsWith('/widget/v1/') && path !== '/shipments' && path !== '/payments/quote') {
        const key = (resolve(operation.parameters) as Json[]).find((q) => q.name === 'Idempotency-Key');
        expect(key, where).toMatchObject({ in: 'header', required: true, schema: { maxLength: 200 } });
        expect(accepts(key.schema, 'order-1001')).toBe(true);
        expect(accepts(key.schema, 'order 1001')).toBe(false);
        expect(accepts(key.schema, 'commande-é')).toBe(false);
        expect(Object.keys(operation.responses ?? {}), where).toEqual(expect.arrayContaining(['400', '409', '413', '415', '422']));
      }
    }

    const entry = (
      resolve(document.paths['/members/{externalId}/transactions'].get.responses[200].content['application/json'].schema) as Json
    ).properties.entries.items;
    expect(entry.properties.kind.enum).toEqual([...transferKinds]);
    expect(entry.properties.status.enum).toEqual(['posted', 'held', 'released', 'settled', 'pending', 'confirmed', 'cancelled']);
    expect(entry.properties.at.format).toBe('date-time');
    const recorded = resolve(document.paths['/events'].post.responses[201].content['application/json'].schema) as Json;
    expect(JSON.stringify(recorded.properties.expiresAt)).toContain('"format":"date-time"');

    expect(document.paths['/events/{eventId}'].get).toBeDefined();
    const widget = document.paths['/widget/v1/state'];
    expect(widget.servers).toEqual([{ url: '/' }]);
    expect(widget.get.security).toEqual([]);
    expect(documentedCodes()).toEqual(expect.arrayContaining([...Object.keys(titleOfCode), ...Object.keys(apiCodes)]));
  });

  it('describes every answer of a working day at the store as it is sent', async () => {
    const recorded = await call('POST', '/events', {
      body: purchase('doc-ann', 6_000, { lines: [{ reference: 'A', quantity: 2, unitPriceCents: 3_000, category: 'coffee' }] }),
    });
    expectDocumented(recorded, 'POST', '/events');
    expectDocumented(
      await call('POST', `/events/${recorded.json.id}/refunds`, { body: { lines: [{ reference: 'A', quantity: 1 }] } }),
      'POST',
      '/events/{eventId}/refunds',
    );
    expectDocumented(await call('GET', `/events/${recorded.json.id}`), 'GET', '/events/{eventId}');
    expectDocumented(await call('POST', '/events', { body: { member: { externalId: 'doc-bob' }, type: 'review' } }), 'POST', '/events');
    expectDocumented(await call('GET', '/members/doc-ann'), 'GET', '/members/{externalId}');
    expectDocumented(
      await call('POST', '/members/doc-ann/redemptions', { body: { reward: 'coffee' } }),
      'POST',
      '/members/{externalId}/redemptions',
    );
    expectDocumented(
      await call('POST', '/members/doc-ann/transfers', { body: { to: 'doc-bob', points: 5 } }),
      'POST',
      '/members/{externalId}/transfers',
    );
    expectDocumented(await call('GET', '/members/doc-ann/transactions'), 'GET', '/members/{externalId}/transactions');
    expectDocumented(await call('GET', '/members/doc-bob/transactions', { key: cafe.key }), 'GET', '/members/{externalId}/transactions');
    const session = await call('POST', '/widget-sessions', { body: { externalId: 'doc-ann' } });
    expectDocumented(session, 'POST', '/widget-sessions');
    expectDocumented(await call('GET', '/wallet'), 'GET', '/wallet');
    expectDocumented(await call('GET', '/rewards'), 'GET', '/rewards');
    const state = await call('GET', `/widget/v1/state?token=${session.json.token}&amountCents=1200`, { base: origin });
    expect(state.json).toMatchObject({ enabled: true, estimate: { points: 12 } });
    expectDocumented(state, 'GET', '/widget/v1/state');
    expectDocumented(await call('GET', `/widget/v1/state?token=${session.json.token}`, { base: origin }), 'GET', '/widget/v1/state');
    expectDocumented(await call('GET', '/members/nobody'), 'GET', '/members/{externalId}');
    expectDocumented(await call('GET', '/members/doc-ann/transactions?limit=0'), 'GET', '/members/{externalId}/transactions');
  });

  it('publishes the webhooks partners receive, signed, with the payloads that are queued', async () => {
    expect(Object.keys(document.webhooks).sort()).toEqual([...webhookEvents].sort());
    for (const event of webhookEvents) {
      const operation = document.webhooks[event].post;
      expect(operation.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'Tessera-Signature', in: 'header', required: true })]),
      );
      expect(operation.requestBody.content['application/json'].schema).toBeDefined();
    }

    // An upgrade to gold that completes a one-purchase challenge, earns a first-purchase badge and wins an instant prize, an instant redemption, a refund that takes a badge back, and the expiry of every lot: each event once.
    await db.dataSource.manager.insert(Badge, { name: 'First purchase', emblem: 'star', rule: 'first_purchase', status: 'live' });
    await db.dataSource.manager.insert(Challenge, {
      name: 'One purchase',
      metric: 'purchase_count',
      target: 1,
      period: 'once',
      startsAt: days(-1),
      endsAt: days(1),
      rewardPoints: 5,
      status: 'live',
    });
    // And wins a winning-moments prize (a sure win, paid by the store).
    await inTransaction(db.dataSource, (m) =>
      saveInstantWinCampaign(
        m,
        {
          name: 'Sure win',
          mode: 'probability',
          winChance: '100',
          startsAt: days(-1).toISOString(),
          endsAt: days(1).toISOString(),
          prizePoints: '10',
          prizeBudget: '1',
          status: 'live',
        },
        { kind: 'partner', partnerId: shop.id },
      ),
    );
    forgetProgramConfiguration(db.dataSource);
    const bought = await call('POST', '/events', { body: purchase('hook-ann', 600_000) });
    // Its progress step, which a worker runs once the event commits (none runs in this file).
    await countChallengeProgress(db.dataSource, p.ledger, bought.json.id);
    await awardRuleBadges(db.dataSource, bought.json.id);
    await call('POST', '/members/hook-ann/redemptions', { body: { reward: 'coffee' } });
    // A purchase refunded in full takes back the badge it earned.
    const returned = await call('POST', '/events', { body: purchase('hook-bob', 1_000) });
    await awardRuleBadges(db.dataSource, returned.json.id);
    expect((await call('POST', `/events/${returned.json.id}/refunds`, { body: {} })).status).toBe(201);
    await expireDueLots(db.dataSource, p.ledger, days(400));
    const deliveries = await db.dataSource.manager.find(WebhookDelivery, { order: { createdAt: 'ASC' } });
    expect(new Set(deliveries.map((d) => d.event))).toEqual(new Set(webhookEvents));
    for (const delivery of deliveries) {
      // What attemptWebhook sends.
      const sent = JSON.parse(JSON.stringify({ id: delivery.id, ...delivery.payload, sentAt: new Date().toISOString() }));
      const published = z.fromJSONSchema(
        resolve(document.webhooks[delivery.event].post.requestBody.content['application/json'].schema) as JsonSchema,
      );
      expect(published.safeParse(sent).error?.issues ?? [], JSON.stringify(sent)).toEqual([]);
      expect(
        webhookEnvelope(delivery.event as WebhookEvent)
          .strict()
          .safeParse(sent).error?.issues ?? [],
      ).toEqual([]);
    }
  });
});
