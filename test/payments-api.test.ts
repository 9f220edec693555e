import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxEntry, ProgramSettings } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram, days } from './support/program.js';

/**
 * A store takes points as payment at its checkout, as it takes cards: quote, authorize (a hold),
 * capture all or part, void, refund. Points go back to the very lots they came from.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let server: Server;
let base: string;
let shop: { id: string; key: string; walletId: string };
let cafe: { id: string; key: string; walletId: string };

async function partnerWithKey() {
  const { partner, wallet } = await p.partner(1_000_000);
  const { secret } = await issueApiKey(db.dataSource.manager, partner.id, 'test');
  return { id: partner.id, key: secret, walletId: wallet.id };
}

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, {
    id: 1,
    currency: 'EUR',
    pointValueMinor: 1,
    paymentMinPoints: 50,
    paymentMaxSharePercent: 50,
    paymentExcludedCategories: 'Gift cards, tobacco',
  });
  shop = await partnerWithKey();
  cafe = await partnerWithKey();
  const app = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger } });
  server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  server?.close();
  await db?.drop();
});

/** A customer of the shop with 1,000 points in two lots: 600 expiring in 10 days (funded by the shop), 400 in 100 days (by the café). */
async function customer() {
  const externalId = `buyer-${randomUUID().slice(0, 8)}`;
  const { account } = await p.member(externalId, shop.id);
  const lots: Record<'soon' | 'later', string> = { soon: '', later: '' };
  for (const [name, wallet, amount, expiresAt] of [
    ['soon', shop.walletId, 600, days(10)],
    ['later', cafe.walletId, 400, days(100)],
  ] as const) {
    const earned = await p.ledger.transfer({
      source: 'test',
      key: randomUUID(),
      legs: [{ debitAccountId: wallet, creditAccountId: account.id, amount, kind: 'earn', expiresAt }],
    });
    const [lot] = await db.dataSource.query(`SELECT id FROM point_lot WHERE "creditTransferId" = $1`, [earned.transfers[0]!.id]);
    lots[name] = lot.id;
  }
  return { externalId, accountId: account.id, lots };
}

async function remaining(lotId: string): Promise<number> {
  const [lot] = await db.dataSource.query(`SELECT remaining FROM point_lot WHERE id = $1`, [lotId]);
  return Number(lot.remaining);
}

async function consentOf(externalId: string, partnerId = shop.id) {
  const { member } = await resolveCustomer(db.dataSource.manager, { partnerId, customerId: externalId });
  return `Bearer ${(await openMemberSession(db.dataSource.manager, { memberId: member.id, partnerId: null })).token}`;
}

interface Call {
  key?: string;
  idempotencyKey?: string;
  body?: unknown;
  consent?: string;
}

async function call(method: string, path: string, { key = shop.key, idempotencyKey, body, consent }: Call = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (consent) headers['member-authorization'] = consent;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST') headers['idempotency-key'] = idempotencyKey ?? randomUUID();
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
}

/** A 20.00 EUR order: 10 points pay 10 cents, at most half of it in points: 1,000 points. */
const order = (member: string, points: number, extra: object = {}) => ({
  member,
  amountMinor: 2_000,
  currency: 'EUR',
  points,
  orderReference: `order-${randomUUID().slice(0, 6)}`,
  ...extra,
});

async function authorize(member: string, points: number, extra: object = {}) {
  const result = await call('POST', '/payments', { body: order(member, points, extra), consent: await consentOf(member) });
  expect(result.status, result.text).toBe(201);
  return result.json;
}

function expectRefused(result: Awaited<ReturnType<typeof call>>, status: number, code: string, field?: string) {
  expect(result.status, result.text).toBe(status);
  expect(result.headers.get('content-type')).toContain('application/problem+json');
  expect(result.json.code).toBe(code);
  if (field) expect(result.json.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  expect(result.text).not.toMatch(/\bat .*\.(ts|js):\d+|SELECT|INSERT/);
}

async function expectLedgerTrue() {
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
}

describe('authorize, capture part, refund', () => {
  it('holds the points, captures part, gives the rest back, and refunds to the lots the points came from', async () => {
    const buyer = await customer();
    const authorized = await authorize(buyer.externalId, 800);
    expect(authorized).toMatchObject({
      status: 'authorized',
      member: buyer.externalId,
      currency: 'EUR',
      basketAmountMinor: 2_000,
      eligibleAmountMinor: 2_000,
      points: { authorized: 800, captured: 0, refunded: 0 },
      valueMinor: { authorized: 800, captured: 0, refunded: 0 },
    });
    // The earliest-expiring lot pays first: 600 from it, 200 from the later one.
    expect(await p.available(buyer.accountId)).toBe(200);
    expect([await remaining(buyer.lots.soon), await remaining(buyer.lots.later)]).toEqual([0, 200]);
    // Its time limit is queued as a process with the hold.
    const [timeout] = await db.dataSource.manager.findBy(OutboxEntry, { process: 'hold_timeout', subjectId: await holdOf(authorized.id) });
    expect(timeout).toBeDefined();

    const captured = await call('POST', `/payments/${authorized.id}/capture`, { body: { points: 500 } });
    expect(captured.status, captured.text).toBe(200);
    expect(captured.json).toMatchObject({ status: 'captured', points: { authorized: 800, captured: 500, refunded: 0 } });
    // The 300 not captured went back to the lots the hold took last first: the later lot is whole again.
    expect(await p.available(buyer.accountId)).toBe(500);
    expect([await remaining(buyer.lots.soon), await remaining(buyer.lots.later)]).toEqual([100, 400]);

    const refund = await call('POST', `/payments/${authorized.id}/refunds`, { body: { points: 200 } });
    expect(refund.status, refund.text).toBe(201);
    expect(refund.json).toMatchObject({ status: 'partially_refunded', points: { captured: 500, refunded: 200 } });
    expect(refund.json.refunds).toEqual([expect.objectContaining({ points: 200, valueMinor: 200 })]);
    expect([await remaining(buyer.lots.soon), await remaining(buyer.lots.later)]).toEqual([300, 400]);

    const rest = await call('POST', `/payments/${authorized.id}/refunds`, { body: {} });
    expect(rest.json).toMatchObject({ status: 'refunded', points: { captured: 500, refunded: 500 } });
    expect([await remaining(buyer.lots.soon), await remaining(buyer.lots.later)]).toEqual([600, 400]);
    expect(await p.available(buyer.accountId)).toBe(1_000);

    expectRefused(
      await call('POST', `/payments/${authorized.id}/refunds`, { body: { points: 1 } }),
      422,
      'payment_over_refund',
      'body.points',
    );
    const read = await call('GET', `/payments/${authorized.id}`);
    expect(read.json).toMatchObject({ status: 'refunded', points: { authorized: 800, captured: 500, refunded: 500 } });
    expect(read.json.refunds.map((r: { points: number }) => r.points)).toEqual([200, 300]);
    await expectLedgerTrue();
  });

  it('records the burn at the store: debit of the member, credit of the redemption account, with the partner and the payment', async () => {
    const buyer = await customer();
    const authorized = await authorize(buyer.externalId, 100);
    const [hold] = await db.dataSource.query(
      `SELECT kind, phase, "creditAccountId", "references", explanation FROM ledger_transfer WHERE id = $1`,
      [await holdOf(authorized.id)],
    );
    expect(hold).toMatchObject({
      kind: 'burn',
      phase: 'pending',
      creditAccountId: p.program.redemption.id,
      references: expect.objectContaining({ partner: shop.id, payment: authorized.id }),
      explanation: [{ rule: 'payment', points: -100, reason: `paid EUR 1.00 of order ${authorized.orderReference}` }],
    });
  });

  it("shows a partly captured payment in the member's history as the points it took", async () => {
    const buyer = await customer();
    const authorized = await authorize(buyer.externalId, 400);
    await call('POST', `/payments/${authorized.id}/capture`, { body: { points: 150 } });
    const history = await call('GET', `/members/${buyer.externalId}/transactions`);
    expect(history.json.entries[0]).toMatchObject({ kind: 'burn', status: 'settled', points: -150 });
  });

  it('voids an authorization: every point back to its lot', async () => {
    const buyer = await customer();
    const authorized = await authorize(buyer.externalId, 700);
    const voided = await call('POST', `/payments/${authorized.id}/void`, { body: {} });
    expect(voided.json).toMatchObject({ status: 'voided', points: { authorized: 700, captured: 0 } });
    expect([await remaining(buyer.lots.soon), await remaining(buyer.lots.later)]).toEqual([600, 400]);
    await expectLedgerTrue();
  });
});

async function holdOf(paymentId: string): Promise<string> {
  const [row] = await db.dataSource.query(`SELECT "holdTransferId" FROM payment WHERE id = $1`, [paymentId]);
  return row.holdTransferId;
}

describe('refusals', () => {
  it('refuses capturing twice, capturing after a void, over-capture, and refunds of what was not captured', async () => {
    const buyer = await customer();
    const first = await authorize(buyer.externalId, 300);
    expectRefused(
      await call('POST', `/payments/${first.id}/capture`, { body: { points: 301 } }),
      422,
      'payment_over_capture',
      'body.points',
    );
    expectRefused(await call('POST', `/payments/${first.id}/refunds`, { body: {} }), 409, 'payment_not_captured', 'path.paymentId');
    expect((await call('POST', `/payments/${first.id}/capture`, { body: {} })).status).toBe(200);
    expectRefused(await call('POST', `/payments/${first.id}/capture`, { body: {} }), 409, 'payment_already_captured', 'path.paymentId');
    expectRefused(await call('POST', `/payments/${first.id}/void`, { body: {} }), 409, 'payment_already_captured', 'path.paymentId');
    expectRefused(
      await call('POST', `/payments/${first.id}/refunds`, { body: { points: 301 } }),
      422,
      'payment_over_refund',
      'body.points',
    );

    const second = await authorize(buyer.externalId, 300);
    expect((await call('POST', `/payments/${second.id}/void`, { body: {} })).status).toBe(200);
    expectRefused(await call('POST', `/payments/${second.id}/capture`, { body: {} }), 409, 'payment_not_authorized', 'path.paymentId');
    expectRefused(await call('POST', `/payments/${second.id}/refunds`, { body: {} }), 409, 'payment_not_captured', 'path.paymentId');
    expect(await p.available(buyer.accountId)).toBe(700);
    await expectLedgerTrue();
  });

  it("needs the member's authorization, and refuses more points than the member has", async () => {
    const buyer = await customer();
    expectRefused(await call('POST', '/payments', { body: order(buyer.externalId, 100) }), 403, 'member_authorization_required');
    const other = await customer();
    expectRefused(
      await call('POST', '/payments', { body: order(buyer.externalId, 100), consent: await consentOf(other.externalId) }),
      403,
      'member_authorization_refused',
      'header.Member-Authorization',
    );
    const big = { amountMinor: 10_000 };
    expectRefused(
      await call('POST', '/payments', { body: order(buyer.externalId, 1_001, big), consent: await consentOf(buyer.externalId) }),
      422,
      'insufficient_funds',
      'body.points',
    );
    expect(await p.available(buyer.accountId)).toBe(1_000);
  });

  it('applies the rules: least points, largest share, excluded categories, the currency', async () => {
    const buyer = await customer();
    const consent = await consentOf(buyer.externalId);
    const pay = (points: number, extra: object = {}) =>
      call('POST', '/payments', { body: order(buyer.externalId, points, extra), consent });
    expectRefused(await pay(49), 422, 'payment_refused', 'body.points');
    expect((await pay(49)).json.detail).toContain('at least 50');
    expectRefused(await pay(1_001), 422, 'payment_refused', 'body.points');
    expect((await pay(1_001)).json.detail).toContain('at most 1000');
    // 8.00 of gift cards (any case) are left out: half of the other 12.00 is 600 points.
    const lines = [
      { reference: 'book', category: 'Books', quantity: 1, unitPriceMinor: 1_200 },
      { reference: 'card', category: 'gift cards', quantity: 2, unitPriceMinor: 400 },
    ];
    expectRefused(await pay(601, { lines }), 422, 'payment_refused', 'body.points');
    const within = await pay(600, { lines });
    expect(within.status).toBe(201);
    expect(within.json.eligibleAmountMinor).toBe(1_200);
    const allExcluded = [{ reference: 'cigars', category: 'Tobacco', quantity: 1, unitPriceMinor: 2_000 }];
    expect((await pay(100, { lines: allExcluded })).json.detail).toContain('excluded categories');
    expectRefused(await pay(100, { currency: 'USD' }), 422, 'payment_currency_mismatch', 'body.currency');
    expectRefused(
      await pay(100, { lines: [{ reference: 'x', quantity: 3, unitPriceMinor: 1_000 }] }),
      422,
      'payment_refused',
      'body.lines',
    );
    expectRefused(await pay(100, { pointOfSale: 'nowhere' }), 422, 'payment_refused', 'body.pointOfSale');
    expectRefused(await pay(0), 400, 'invalid_request', 'body.points');
    // Only the 600 authorized left the member.
    expect(await p.available(buyer.accountId)).toBe(400);
  });

  it('quotes what a basket may take, and what the member can use', async () => {
    const buyer = await customer();
    const quote = await call('POST', '/payments/quote', {
      body: {
        amountMinor: 5_000,
        currency: 'EUR',
        member: buyer.externalId,
        lines: [{ reference: 'cigars', category: 'tobacco', quantity: 1, unitPriceMinor: 1_000 }],
      },
    });
    expect(quote.status, quote.text).toBe(200);
    expect(quote.json).toMatchObject({
      eligibleAmountMinor: 4_000,
      minPoints: 50,
      maxPoints: 2_000,
      maxValueMinor: 2_000,
      member: { available: 1_000, usablePoints: 1_000, usableValueMinor: 1_000 },
    });
    expectRefused(
      await call('POST', '/payments/quote', { body: { amountMinor: 5_000, currency: 'GBP' } }),
      422,
      'payment_currency_mismatch',
      'body.currency',
    );
    expectRefused(
      await call('POST', '/payments/quote', { body: { amountMinor: 5_000, currency: 'EUR', member: 'nobody' } }),
      404,
      'member_not_found',
      'body.member',
    );
  });
});

describe('idempotency, scoping, concurrency', () => {
  it('answers a replay of an authorization with the same payment, holding the points once', async () => {
    const buyer = await customer();
    const body = order(buyer.externalId, 250);
    const consent = await consentOf(buyer.externalId);
    const key = randomUUID();
    const first = await call('POST', '/payments', { body, consent, idempotencyKey: key });
    const again = await call('POST', '/payments', { body, consent, idempotencyKey: key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json.id).toBe(first.json.id);
    expect(await p.available(buyer.accountId)).toBe(750);
    expectRefused(
      await call('POST', '/payments', { body: { ...body, points: 260 }, consent, idempotencyKey: key }),
      409,
      'idempotency_key_reused',
    );
    const captureKey = randomUUID();
    const captured = await call('POST', `/payments/${first.json.id}/capture`, { body: { points: 100 }, idempotencyKey: captureKey });
    const capturedAgain = await call('POST', `/payments/${first.json.id}/capture`, { body: { points: 100 }, idempotencyKey: captureKey });
    expect(capturedAgain.json).toEqual(captured.json);
    expect(await p.available(buyer.accountId)).toBe(900);
  });

  it('answers 404 to another store on every route of a payment, as for one that does not exist', async () => {
    const buyer = await customer();
    const payment = await authorize(buyer.externalId, 100);
    for (const id of [payment.id, randomUUID()]) {
      expectRefused(await call('GET', `/payments/${id}`, { key: cafe.key }), 404, 'payment_not_found', 'path.paymentId');
      for (const action of ['capture', 'void', 'refunds']) {
        expectRefused(
          await call('POST', `/payments/${id}/${action}`, { key: cafe.key, body: {} }),
          404,
          'payment_not_found',
          'path.paymentId',
        );
      }
    }
    expect((await call('GET', `/payments/${payment.id}`)).json.status).toBe('authorized');
    expect(await p.available(buyer.accountId)).toBe(900);
  });

  it('lets exactly one of a concurrent capture and void of one payment win', async () => {
    for (let round = 0; round < 3; round++) {
      const buyer = await customer();
      const payment = await authorize(buyer.externalId, 400);
      const [capture, voided] = await Promise.all([
        call('POST', `/payments/${payment.id}/capture`, { body: { points: 300 } }),
        call('POST', `/payments/${payment.id}/void`, { body: {} }),
      ]);
      expect([capture.status, voided.status].sort()).toEqual([200, 409]);
      const after = (await call('GET', `/payments/${payment.id}`)).json;
      expect(await p.available(buyer.accountId)).toBe(after.status === 'captured' ? 700 : 1_000);
    }
    await expectLedgerTrue();
  });
});

describe('races', () => {
  it('lets one of two concurrent captures win, and concurrent refunds never give back more than was captured', async () => {
    const buyer = await customer();
    const payment = await authorize(buyer.externalId, 600);
    const captures = await Promise.all([
      call('POST', `/payments/${payment.id}/capture`, { body: { points: 500 } }),
      call('POST', `/payments/${payment.id}/capture`, { body: { points: 400 } }),
    ]);
    expect(captures.map((c) => c.status).sort()).toEqual([200, 409]);
    const captured = captures.find((c) => c.status === 200)!.json.points.captured;
    expect(await p.available(buyer.accountId)).toBe(1_000 - captured);
    const refunds = await Promise.all([0, 1, 2].map(() => call('POST', `/payments/${payment.id}/refunds`, { body: { points: 200 } })));
    const given = refunds.filter((r) => r.status === 201).length;
    expect(given).toBe(Math.floor(captured / 200));
    for (const refused of refunds.filter((r) => r.status !== 201)) expect(refused.json.code).toBe('payment_over_refund');
    expect(await p.available(buyer.accountId)).toBe(1_000 - captured + given * 200);
    await expectLedgerTrue();
  });
});

describe('documentation', () => {
  it('documents every payment route, its answers and each refusal code it gives', async () => {
    const document = await (await fetch(base.replace(/\/v1$/, '/openapi.json'))).json();
    expect(Object.keys(document.paths).filter((path) => path.includes('payment'))).toEqual([
      '/widget/v1/payment-quote',
      '/payments/quote',
      '/payments',
      '/payments/{paymentId}',
      '/payments/{paymentId}/capture',
      '/payments/{paymentId}/void',
      '/payments/{paymentId}/refunds',
    ]);
    const codes: string[] = document.components.schemas.Problem.properties.code.enum;
    for (const code of [
      'payment_not_found',
      'payment_already_captured',
      'payment_not_authorized',
      'payment_over_capture',
      'payment_over_refund',
    ]) {
      expect(codes).toContain(code);
    }
    const authorize = document.paths['/payments'].post;
    expect(authorize.parameters.map((p: { name: string }) => p.name)).toEqual(['Idempotency-Key', 'Member-Authorization']);
    expect(authorize.requestBody.content['application/json'].schema.required).toEqual([
      'amountMinor',
      'currency',
      'member',
      'points',
      'orderReference',
    ]);
    const answer = authorize.responses[201].content['application/json'].schema;
    expect(answer.properties.status.enum).toEqual(['authorized', 'captured', 'partially_refunded', 'refunded', 'voided', 'expired']);
    expect(
      document.paths['/payments/{paymentId}/capture'].post.responses[409].content['application/problem+json'].schema.allOf[1].properties
        .code.enum,
    ).toEqual(expect.arrayContaining(['payment_already_captured', 'payment_not_authorized']));
  });
});
