import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreditProgram, EarningRule, ExchangeRate, ProgramSettings } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { listen } from './support/http.js';
import { createProgram } from './support/program.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let server: Awaited<ReturnType<typeof listen>>;
let shop: { id: string; key: string };
let closedShop: { id: string; key: string };

async function partnerWithKey() {
  const { partner } = await p.partner(100_000);
  const { secret } = await issueApiKey(db.dataSource.manager, partner.id, 'test');
  return { id: partner.id, key: secret };
}

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, currency: 'EUR' });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  shop = await partnerWithKey();
  closedShop = await partnerWithKey();
  await m.insert(CreditProgram, [
    { name: 'Coalition cashback', currency: 'EUR', partnerIds: [shop.id], cashbackPercent: 5 },
    { name: 'Closed club', ownerPartnerId: closedShop.id, currency: 'EUR', partnerIds: [closedShop.id], cashbackFixedMinor: 300 },
  ]);
  await m.insert(ExchangeRate, { fromCurrency: 'USD', toCurrency: 'EUR', rate: 0.9, validFrom: new Date('2026-01-01T00:00:00Z') });
  server = await listen(createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger } }));
});
afterAll(async () => {
  await server.close();
  await db.drop();
});

async function call(method: string, path: string, key: string, body?: unknown, idempotencyKey = randomUUID(), consent?: string) {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
      ...(consent ? { 'member-authorization': consent } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

it('a purchase earns 5% cashback, shown in money; a replayed request does not pay it twice', async () => {
  const purchase = { member: { externalId: 'api-ann' }, type: 'purchase', amountCents: 4_000, currency: 'EUR' };
  const idempotencyKey = randomUUID();
  const first = await call('POST', '/events', shop.key, purchase, idempotencyKey);
  expect(first.status).toBe(201);
  expect(first.json.cashback).toMatchObject({ currency: 'EUR', amountMinor: 200, reason: '5% cashback on €40.00 = €2.00' });
  const replay = await call('POST', '/events', shop.key, purchase, idempotencyKey);
  expect(replay.json).toEqual(first.json);

  const member = await call('GET', '/members/api-ann', shop.key);
  expect(member.json.balance.available).toBe(40);
  expect(member.json.credit).toEqual([
    expect.objectContaining({ program: 'Coalition cashback', currency: 'EUR', availableMinor: 200, heldMinor: 0, available: '€2.00' }),
  ]);

  const refund = await call('POST', `/events/${first.json.id}/refunds`, shop.key, {});
  expect(refund.status).toBe(201);
  expect(refund.json.cashbackReversedMinor).toBe(200);
  expect((await call('GET', '/members/api-ann', shop.key)).json.credit[0].availableMinor).toBe(0);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it("a partner sees its customer's credit only in the programs its stores take part in", async () => {
  await call('POST', '/events', closedShop.key, {
    member: { externalId: 'api-bob' },
    type: 'purchase',
    amountCents: 1_000,
    currency: 'EUR',
  });
  await call('POST', '/events', shop.key, { member: { externalId: 'api-bob' }, type: 'purchase', amountCents: 1_000, currency: 'EUR' });
  const atShop = await call('GET', '/members/api-bob', shop.key);
  expect(atShop.json.credit.map((c: { program: string }) => c.program)).toEqual(['Coalition cashback']);
});

it('an event in USD earns at the stored rate with the rate in the explanation; without a rate it is refused on currency', async () => {
  const usd = await call('POST', '/events', shop.key, {
    member: { externalId: 'api-cat' },
    type: 'purchase',
    amountCents: 5_000,
    currency: 'USD',
  });
  expect(usd.status).toBe(201);
  expect(usd.json.points).toBe(45);
  expect(usd.json.explanation[0].reason).toBe('$50.00 at 0.9 EUR per USD (rate of 2026-01-01) = €45.00');
  expect(usd.json.cashback.amountMinor).toBe(225);

  const gbp = await call('POST', '/events', shop.key, {
    member: { externalId: 'api-dan' },
    type: 'purchase',
    amountCents: 5_000,
    currency: 'GBP',
  });
  expect(gbp.status).toBe(422);
  expect(gbp.json).toMatchObject({ code: 'exchange_rate_missing', errors: [{ field: 'body.currency' }] });
  expect(gbp.json.detail).not.toMatch(/SELECT|at .*\.ts/);
  expect(await db.dataSource.query(`SELECT 1 FROM member WHERE "externalId" = 'api-dan'`)).toEqual([]);
});

it('a member pays part of an order with their cashback through the payments API: authorized, captured in part, refunded', async () => {
  await call('POST', '/events', shop.key, { member: { externalId: 'api-eve' }, type: 'purchase', amountCents: 4_000, currency: 'EUR' });
  const { member } = await resolveCustomer(db.dataSource.manager, { partnerId: shop.id, customerId: 'api-eve' });
  const consent = `Bearer ${(await openMemberSession(db.dataSource.manager, { memberId: member.id, partnerId: null })).token}`;
  const creditOf = async () => (await call('GET', '/members/api-eve', shop.key)).json.credit[0];
  const order = { member: 'api-eve', amountMinor: 1_000, currency: 'EUR', tender: 'store_credit', orderReference: 'credit-1' };

  const quote = await call('POST', '/payments/quote', shop.key, { ...order, orderReference: undefined });
  expect(quote.status, JSON.stringify(quote.json)).toBe(200);
  expect(quote.json.member).toMatchObject({ available: 200, usablePoints: 200, usableValueMinor: 200 });

  const authorized = await call('POST', '/payments', shop.key, { ...order, points: 150 }, randomUUID(), consent);
  expect(authorized.status, JSON.stringify(authorized.json)).toBe(201);
  expect(authorized.json).toMatchObject({ tender: 'store_credit', points: { authorized: 150 }, valueMinor: { authorized: 150 } });
  expect(await creditOf()).toMatchObject({ availableMinor: 50, heldMinor: 150 });
  // The points are not touched: the credit paid.
  expect((await call('GET', '/members/api-eve', shop.key)).json.balance.available).toBe(40);

  const captured = await call('POST', `/payments/${authorized.json.id}/capture`, shop.key, { points: 100 });
  expect(captured.status, JSON.stringify(captured.json)).toBe(200);
  expect(await creditOf()).toMatchObject({ availableMinor: 100, heldMinor: 0 });
  const refunded = await call('POST', `/payments/${authorized.json.id}/refunds`, shop.key, {});
  expect(refunded.status, JSON.stringify(refunded.json)).toBe(201);
  expect(await creditOf()).toMatchObject({ availableMinor: 200 });

  // More than the credit, or a store in no credit program: refused under the fields sent.
  const over = await call('POST', '/payments', shop.key, { ...order, points: 201 }, randomUUID(), consent);
  expect(over.status).toBe(422);
  expect(over.json.errors.map((e: { field: string }) => e.field)).toEqual(['body.points']);
  const plain = await partnerWithKey();
  await call('POST', '/events', plain.key, { member: { externalId: 'api-eve' }, type: 'purchase', amountCents: 100, currency: 'EUR' });
  const there = await resolveCustomer(db.dataSource.manager, { partnerId: plain.id, customerId: 'api-eve' });
  const consentThere = `Bearer ${(await openMemberSession(db.dataSource.manager, { memberId: there.member.id, partnerId: null })).token}`;
  const elsewhere = await call('POST', '/payments', plain.key, { ...order, points: 10 }, randomUUID(), consentThere);
  expect(elsewhere.status, JSON.stringify(elsewhere.json)).toBe(422);
  expect(elsewhere.json).toMatchObject({ code: 'credit_refused', errors: [{ field: 'body.tender' }] });
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
