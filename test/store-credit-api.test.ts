import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreditProgram, EarningRule, ExchangeRate, ProgramSettings } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
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

async function call(method: string, path: string, key: string, body?: unknown, idempotencyKey = randomUUID()) {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
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
