import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreditProgram, EarningRule, ProgramSettings, Reward } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { balanceOf } from '../loyalty/ledger/accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let server: Server;
let base: string;
let shop: { id: string; key: string; walletId: string };
const dayMs = 86_400_000;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'never' }, pendingDays: 14 });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Reward, { code: 'coffee', name: 'Coffee voucher', pointsPrice: 10 });
  const { partner, wallet } = await p.partner(10_000);
  shop = { id: partner.id, key: (await issueApiKey(m, partner.id, 'test')).secret, walletId: wallet.id };
  server = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  server?.close();
  await db.drop();
});

async function call(
  method: string,
  path: string,
  { body, idempotencyKey, consentOf }: { body?: unknown; idempotencyKey?: string; consentOf?: string } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${shop.key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST') headers['idempotency-key'] = idempotencyKey ?? randomUUID();
  if (consentOf) {
    const { member } = await resolveCustomer(db.dataSource.manager, { partnerId: shop.id, customerId: consentOf });
    headers['member-authorization'] =
      `Bearer ${(await openMemberSession(db.dataSource.manager, { memberId: member.id, partnerId: null })).token}`;
  }
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const purchase = (externalId: string, amountCents = 4_250) => ({ member: { externalId }, type: 'purchase', amountCents, currency: 'EUR' });

it('answers an earn with its pending points and when they become spendable; the member and the event say so too', async () => {
  const earned = await call('POST', '/events', { body: purchase('pa-ann') });
  expect(earned.status).toBe(201);
  const availableFrom = new Date(earned.json.pending?.availableFrom ?? 0);
  expect(earned.json).toMatchObject({ points: 42, totalPoints: 42, pending: { points: 42, availableFrom: availableFrom.toISOString() } });
  expect(availableFrom.getTime() - Date.now()).toBeGreaterThan(14 * dayMs - 60_000);

  const member = await call('GET', '/members/pa-ann');
  expect(member.json).toMatchObject({
    balance: { available: 0, incoming: 42 },
    pending: [{ points: 42, availableFrom: availableFrom.toISOString() }],
  });
  const event = await call('GET', `/events/${earned.json.id}`);
  expect(event.json).toMatchObject({ totalPoints: 42, pending: { points: 42, availableFrom: availableFrom.toISOString() } });
  const history = await call('GET', '/members/pa-ann/transactions');
  expect(history.json.entries).toEqual([
    expect.objectContaining({ kind: 'earn', points: 42, status: 'pending', availableFrom: availableFrom.toISOString() }),
  ]);

  const spend = await call('POST', '/members/pa-ann/redemptions', { body: { reward: 'coffee' }, consentOf: 'pa-ann' });
  expect(spend.status).toBe(422);
  expect(spend.json.detail).toMatch(/0 available/);
});

it('answers a replayed earn with the first answer and holds its points once', async () => {
  const idempotencyKey = randomUUID();
  const first = await call('POST', '/events', { body: purchase('pa-bob', 10_000), idempotencyKey });
  const again = await Promise.all([1, 2, 3].map(() => call('POST', '/events', { body: purchase('pa-bob', 10_000), idempotencyKey })));
  for (const replay of again) expect(replay.json).toEqual(first.json);
  expect((await call('GET', '/members/pa-bob')).json).toMatchObject({
    balance: { incoming: 100, available: 0 },
    pending: [{ points: 100 }],
  });
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it('answers a refund inside the window with the pending points it cancelled, and the event shows none pending', async () => {
  const earned = await call('POST', '/events', { body: purchase('pa-cid', 3_000) });
  const refunded = await call('POST', `/events/${earned.json.id}/refunds`, { body: {} });
  expect(refunded.status).toBe(201);
  expect(refunded.json).toMatchObject({ pointsReversed: 0, pointsOwed: 0, pendingPointsCancelled: 30, remainingCents: 0 });
  const event = await call('GET', `/events/${earned.json.id}`);
  expect(event.json).toMatchObject({ pending: null, refunds: [expect.objectContaining({ pendingPointsCancelled: 30 })] });
  expect((await call('GET', '/members/pa-cid')).json).toMatchObject({ balance: { incoming: 0, available: 0 }, pending: [] });
  const history = await call('GET', '/members/pa-cid/transactions');
  expect(history.json.entries).toEqual([expect.objectContaining({ kind: 'earn', points: 0, status: 'cancelled' })]);
  const { account } = await resolveCustomer(db.dataSource.manager, { partnerId: shop.id, customerId: 'pa-cid' });
  expect(await balanceOf(db.dataSource.manager, account.id)).toMatchObject({ posted: 0, incoming: 0 });
});

it("shows a member's pending points in the store's widget, apart from the points they can spend", async () => {
  await call('POST', '/events', { body: purchase('pa-dee', 2_500) });
  const session = await call('POST', '/widget-sessions', { body: { externalId: 'pa-dee' } });
  const origin = base.replace(/\/api\/v1$/, '');
  const state = await (await fetch(`${origin}/widget/v1/state?token=${encodeURIComponent(session.json.token)}`)).json();
  expect(state).toMatchObject({ enabled: true, balance: 0, pending: 25 });
  const script = await (await fetch(`${origin}/widget.js`)).text();
  expect(script).toContain('pending');
});

it('answers a purchase at a cashback store with its cashback pending until the same date, shown pending in money, cancelled by a refund', async () => {
  await db.dataSource.manager.insert(CreditProgram, { name: 'Cashback club', currency: 'EUR', partnerIds: [shop.id], cashbackPercent: 5 });
  const earned = await call('POST', '/events', { body: purchase('pa-eve', 4_000) });
  expect(earned.status).toBe(201);
  expect(earned.json.cashback).toMatchObject({ amountMinor: 200, availableFrom: earned.json.pending.availableFrom });
  expect((await call('GET', '/members/pa-eve')).json.credit).toEqual([
    expect.objectContaining({ availableMinor: 0, pendingMinor: 200, pending: '€2.00' }),
  ]);
  const refunded = await call('POST', `/events/${earned.json.id}/refunds`, { body: {} });
  expect(refunded.json).toMatchObject({ pendingPointsCancelled: 40, cashbackReversedMinor: 200 });
  expect((await call('GET', '/members/pa-eve')).json.credit).toEqual([expect.objectContaining({ availableMinor: 0, pendingMinor: 0 })]);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
