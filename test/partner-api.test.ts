import type { AddressInfo } from 'node:net';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bonus, EarningRule, PointPackage, ProgramSettings, Reward } from '../entities/index.js';
import { issueApiKey, revokeApiKey } from '../loyalty/api-keys.js';
import { purchasePackage } from '../loyalty/funding.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
const servers: Server[] = [];

async function serve(rateLimitPerMinute?: number): Promise<string> {
  const app = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger, rateLimitPerMinute } });
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
}

let base: string;
let shop: { id: string; key: string };
let cafe: { id: string; key: string };

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
  await m.insert(PointPackage, { code: 'starter', name: 'Starter', points: 5_000, priceCents: 4_900, currency: 'EUR' });
  await m.insert(Reward, [
    { code: 'coffee', name: 'Coffee voucher', pointsPrice: 100 },
    { code: 'mug', name: 'Mug', pointsPrice: 150, needsFulfilment: true, stock: 1 },
  ]);
  base = await serve();
  shop = await partnerWithKey(100_000);
  cafe = await partnerWithKey(100_000);
});
afterAll(async () => {
  for (const server of servers) server.close();
  await db.drop();
});

interface Call {
  key?: string;
  idempotencyKey?: string | null;
  body?: unknown;
  raw?: string;
  /** The member's say on a debit: their customer id at `key`'s store, for a session of theirs. */
  consentOf?: string;
}

/** A dashboard session of the member a store knows as `customerId`, as the member's sign-in gives one. */
async function memberToken(customerId: string, partnerId = shop.id) {
  const { member } = await resolveCustomer(db.dataSource.manager, { partnerId, customerId });
  return (await openMemberSession(db.dataSource.manager, { memberId: member.id, partnerId: null })).token;
}

async function call(method: string, path: string, { key = shop.key, idempotencyKey, body, raw, consentOf }: Call = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (consentOf) headers['member-authorization'] = `Bearer ${await memberToken(consentOf, key === cafe.key ? cafe.id : shop.id)}`;
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST' && idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey ?? randomUUID();
  const response = await fetch(`${base}${path}`, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    headers: response.headers,
    text,
    json: text ? JSON.parse(text) : undefined,
  };
}

const purchase = (externalId: string, amountCents = 4_250, extra: object = {}) => ({
  member: { externalId, email: `${externalId}@example.test` },
  type: 'purchase',
  amountCents,
  currency: 'EUR',
  ...extra,
});

function expectProblem(result: Awaited<ReturnType<typeof call>>, status: number) {
  expect(result.status).toBe(status);
  expect(result.type).toContain('application/problem+json');
  expect(result.json).toMatchObject({ status, title: expect.any(String) });
  expect(result.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  expect(result.text).not.toContain('stack');
}

describe('authentication and errors', () => {
  it('refuses a missing, wrong or revoked key with 401', async () => {
    expectProblem(await call('GET', '/wallet', { key: '' }), 401);
    expectProblem(await call('GET', '/wallet', { key: `${shop.key}x` }), 401);
    const { secret, key } = await issueApiKey(db.dataSource.manager, shop.id, 'to revoke');
    expect((await call('GET', '/wallet', { key: secret })).status).toBe(200);
    await revokeApiKey(db.dataSource.manager, shop.id, key.id);
    expectProblem(await call('GET', '/wallet', { key: secret }), 401);
  });

  it('names the fields of an invalid body, and the header of a write without an idempotency key', async () => {
    const invalid = await call('POST', '/events', { body: { member: {}, type: 'Purchase!', amountCents: -5 } });
    expectProblem(invalid, 400);
    expect(invalid.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['body.amountCents', 'body.member.externalId', 'body.type'].sort(),
    );
    const noCurrency = await call('POST', '/events', { body: { member: { externalId: 'x' }, type: 'purchase', amountCents: 5 } });
    expect(noCurrency.json.detail).toBe('body.currency: is required with amountCents');
    const noKey = await call('POST', '/events', { body: purchase('nokey'), idempotencyKey: null });
    expectProblem(noKey, 400);
    expect(noKey.json.detail).toMatch(/^header\.Idempotency-Key/);
  });

  it('answers malformed JSON with 400, an oversized body with 413, an unknown path with 404', async () => {
    expectProblem(await call('POST', '/events', { raw: '{"member": ' }), 400);
    expectProblem(await call('POST', '/events', { raw: JSON.stringify({ pad: 'x'.repeat(200_000) }) }), 413);
    expectProblem(await call('GET', '/nowhere'), 404);
    expectProblem(await call('POST', `/events/not-a-uuid/refunds`, { body: {} }), 400);
  });

  it('refuses an event dated in the future or too long ago with a 422 naming body.occurredAt', async () => {
    const future = await call('POST', '/events', {
      body: purchase('api-time', 1_000, { occurredAt: new Date(Date.now() + 3_600_000).toISOString() }),
    });
    expectProblem(future, 422);
    expect(future.json).toMatchObject({
      code: 'event_refused',
      errors: [{ field: 'body.occurredAt', message: expect.stringMatching(/^is in the future/) }],
    });
    const ancient = await call('POST', '/events', {
      body: purchase('api-time', 1_000, { occurredAt: new Date(Date.now() - 60 * 86_400_000).toISOString() }),
    });
    expect(ancient.json).toMatchObject({
      status: 422,
      errors: [{ field: 'body.occurredAt', message: expect.stringMatching(/^is more than 30 days ago/) }],
    });
    const outOfRange = await call('POST', '/events', { body: purchase('api-time', 1_000, { occurredAt: '0001-01-01T00:00:00Z' }) });
    expect(outOfRange.json).toMatchObject({ status: 400, errors: [{ field: 'body.occurredAt' }] });
    expect((await call('GET', '/members/api-time')).status).toBe(404);
  });

  it('limits the rate per key with 429', async () => {
    const limited = await serve(3);
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await fetch(`${limited}/wallet`, { headers: { authorization: `Bearer ${cafe.key}` } })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});

describe('events', () => {
  it('enrols and pays, replays a retry and refuses a reused key with another body', async () => {
    const key = randomUUID();
    const first = await call('POST', '/events', { body: purchase('api-ann'), idempotencyKey: key });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      member: { externalId: 'api-ann', enrolledNow: true },
      points: 42,
      bonusPoints: 50,
      totalPoints: 92,
    });
    expect(first.json.explanation.map((e: { rule: string }) => e.rule)).toEqual(['1 point per euro', 'welcome']);

    const replay = await call('POST', '/events', { body: purchase('api-ann'), idempotencyKey: key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.json).toEqual(first.json);
    expectProblem(await call('POST', '/events', { body: purchase('api-ann', 999), idempotencyKey: key }), 409);
    expect((await call('GET', '/members/api-ann')).json.balance.available).toBe(92);
  });

  it('refuses an earn the wallet cannot cover, turns the widget off, and recovers after a top-up', async () => {
    const poor = await partnerWithKey(80);
    // 42 points and the 50-point welcome bonus: more than the 80 left.
    const refused = await call('POST', '/events', { key: poor.key, body: purchase('api-bo') });
    expectProblem(refused, 422);
    expect(refused.json).toMatchObject({
      code: 'insufficient_funds',
      detail: expect.stringMatching(/wallet has 80 points available and this event earns 92/),
    });
    expect((await call('GET', '/members/api-bo')).status).toBe(404);
    expect((await call('GET', '/wallet', { key: poor.key })).json).toMatchObject({ available: 80, widgetEnabled: true });
    expect((await call('POST', '/events', { key: poor.key, body: purchase('api-bo', 3_000) })).json.totalPoints).toBe(80);
    expect((await call('GET', '/wallet', { key: poor.key })).json).toMatchObject({ available: 0, widgetEnabled: false });
    await purchasePackage(db.dataSource, p.ledger, { partnerId: poor.id, packageCode: 'starter', purchaseKey: 'top-up' });
    expect((await call('POST', '/events', { key: poor.key, body: purchase('api-bo') })).status).toBe(201);
    expect((await call('GET', '/wallet', { key: poor.key })).json).toMatchObject({ widgetEnabled: true, issuedToday: 80 + 42 });
  });

  it("refunds a partner's own events only, in part and in full", async () => {
    const event = await call('POST', '/events', {
      body: purchase('api-cy', 3_000, { lines: [{ reference: 'A', quantity: 3, unitPriceCents: 1_000 }] }),
    });
    expectProblem(await call('POST', `/events/${event.json.id}/refunds`, { key: cafe.key, body: {} }), 404);
    const partial = await call('POST', `/events/${event.json.id}/refunds`, { body: { lines: [{ reference: 'A', quantity: 1 }] } });
    expect(partial.json).toMatchObject({ refundedCents: 1_000, pointsReversed: 10, pointsOwed: 0, remainingCents: 2_000 });
    expect((await call('POST', `/events/${event.json.id}/refunds`, { body: {} })).json).toMatchObject({ pointsReversed: 20 });
    expectProblem(await call('POST', `/events/${event.json.id}/refunds`, { body: {} }), 422);
    expect((await call('GET', '/members/api-cy')).json.balance.available).toBe(50);
  });
});

describe('members', () => {
  it('shows balance, tier and expiring points, and pages the history by cursor', async () => {
    for (let i = 0; i < 3; i++) await call('POST', '/events', { body: purchase('api-dee', 1_000 * (i + 1)) });
    const summary = await call('GET', '/members/api-dee');
    expect(summary.json).toMatchObject({
      externalId: 'api-dee',
      balance: { available: 110 },
      tier: null,
      expiring: { days30: 0, days60: 110, days90: 110 },
    });
    const first = await call('GET', '/members/api-dee/transactions?limit=2');
    expect(first.json.entries.map((e: { points: number }) => e.points)).toEqual([30, 20]);
    const second = await call('GET', `/members/api-dee/transactions?limit=2&cursor=${first.json.nextCursor}`);
    // The first purchase: its welcome bonus was written after its earn.
    expect(second.json.entries.map((e: { points: number }) => e.points)).toEqual([50, 10]);
    expect(second.json.nextCursor).toBeNull();
    expectProblem(await call('GET', '/members/nobody'), 404);
    expectProblem(await call('GET', '/members/api-dee/transactions?limit=500'), 400);
  });

  it("shows another store the member it knows by the same verified email, without this store's details; never by this store's id", async () => {
    const verified = { email: 'eve@example.test', emailVerified: true };
    await call('POST', '/events', { body: purchase('api-eve', 2_000, { member: { externalId: 'api-eve', ...verified } }) });
    const own = await call('GET', '/members/api-eve/transactions');
    expect(own.json.entries[0]).toMatchObject({ points: 50, explanation: [{ rule: 'welcome' }] });
    expectProblem(await call('GET', '/members/api-eve/transactions', { key: cafe.key }), 404);
    await call('POST', '/events', { key: cafe.key, body: { member: { externalId: 'cafe-77', ...verified }, type: 'visit' } });
    const other = await call('GET', '/members/cafe-77/transactions', { key: cafe.key });
    expect(other.json.entries.map((e: { points: number }) => e.points)).toEqual([50, 20]);
    expect(other.json.entries[0].explanation).toBeUndefined();
    expect(other.json.entries[0].event).toBeUndefined();
  });

  it('redeems an instant reward with a code, holds a reward to fulfil, and refuses what the member cannot pay', async () => {
    await call('POST', '/events', { body: purchase('api-fay', 20_000) });
    const consentOf = 'api-fay';
    const coffee = await call('POST', '/members/api-fay/redemptions', { body: { reward: 'coffee' }, consentOf });
    expect(coffee.json).toMatchObject({ status: 'completed', points: 100, code: expect.stringMatching(/^COFFEE-[0-9A-F]{10}$/) });
    const mug = await call('POST', '/members/api-fay/redemptions', { body: { reward: 'mug' }, consentOf });
    expect(mug.json).toMatchObject({ status: 'awaiting_fulfilment', points: 150, code: null });
    expect((await call('GET', '/members/api-fay')).json.balance).toMatchObject({ available: 0, held: 150 });
    const tooMuch = await call('POST', '/members/api-fay/redemptions', { body: { reward: 'coffee' }, consentOf });
    expectProblem(tooMuch, 422);
    expect(tooMuch.json).toMatchObject({
      code: 'insufficient_funds',
      errors: [{ field: 'body.reward', message: 'costs 100 points; the member has 0 available' }],
    });
    expectProblem(await call('POST', '/members/api-fay/redemptions', { body: { reward: 'mug' }, consentOf }), 422);
    expect((await call('GET', '/rewards')).json.rewards).toEqual([
      expect.objectContaining({ code: 'coffee', inStock: true }),
      expect.objectContaining({ code: 'mug', inStock: false }),
    ]);
  });

  it('transfers points between members within the limits', async () => {
    await call('POST', '/events', { body: purchase('api-gus', 30_000) });
    await call('POST', '/events', { body: purchase('api-hal', 100) });
    const consentOf = 'api-gus';
    expect((await call('POST', '/members/api-gus/transfers', { body: { to: 'api-hal', points: 100 }, consentOf })).status).toBe(201);
    const overLimit = await call('POST', '/members/api-gus/transfers', { body: { to: 'api-hal', points: 60 }, consentOf });
    expectProblem(overLimit, 422);
    expect(overLimit.json.detail).toBe('body.points: at most 150 points a day; 100 already sent today');
    expectProblem(await call('POST', '/members/api-gus/transfers', { body: { to: 'api-hal', points: 101 }, consentOf }), 422);
    expectProblem(await call('POST', '/members/api-gus/transfers', { body: { to: 'api-gus', points: 1 }, consentOf }), 422);
    expect((await call('GET', '/members/api-hal')).json.balance.available).toBe(51 + 100);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });
});

describe('documentation', () => {
  it('serves an OpenAPI 3.1 document built from the validators, and an interactive viewer', async () => {
    const root = base.replace(/\/v1$/, '');
    const document = await (await fetch(`${root}/openapi.json`)).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/events',
        '/events/{eventId}',
        '/events/{eventId}/refunds',
        '/leaderboards/{leaderboardId}',
        '/instant-wins/{campaignId}',
        '/members/{externalId}',
        '/members/{externalId}/badges',
        '/members/{externalId}/challenges',
        '/members/{externalId}/challenges/{challengeId}',
        '/members/{externalId}/receipts',
        '/members/{externalId}/receipts/{receiptId}',
        '/members/{externalId}/redemptions',
        '/members/{externalId}/spending-codes',
        '/members/{externalId}/transactions',
        '/members/{externalId}/transfers',
        '/payments',
        '/payments/quote',
        '/payments/{paymentId}',
        '/payments/{paymentId}/capture',
        '/payments/{paymentId}/refunds',
        '/payments/{paymentId}/void',
        '/rewards',
        '/shipments',
        '/wallet',
        '/widget-sessions',
        '/widget/v1/sign-in',
        '/widget/v1/sign-in/code',
        '/widget/v1/payment-quote',
        '/widget/v1/state',
      ].sort(),
    );
    // The supplier's callback is documented with its own server and signature.
    const shipments = document.paths['/shipments'];
    expect(shipments.servers).toEqual([expect.objectContaining({ url: '/api/supplier/v1' })]);
    expect(shipments.post.security).toEqual([{ supplierSignature: [] }]);
    expect(document.components.securitySchemes.supplierSignature).toMatchObject({ in: 'header', name: 'Tessera-Signature' });
    const event = document.paths['/events'].post.requestBody.content['application/json'].schema;
    expect(event.required).toEqual(['member', 'type']);
    expect(event.properties.channel.enum).toEqual(['web', 'app', 'store']);
    expect(document.paths['/events'].post.parameters[0]).toMatchObject({ name: 'Idempotency-Key', in: 'header', required: true });

    const viewer = await fetch(`${root}/docs`);
    expect(viewer.url).toMatch(/\/api\/docs\/$/);
    expect(await viewer.text()).toContain('swagger-ui');
    expect(await (await fetch(`${root}/docs/swagger-initializer.js`)).text()).toContain("url: '/api/openapi.json'");
  });
});
