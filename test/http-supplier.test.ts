import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { memberConsentHeaders } from './support/member-consent.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarningRule, FulfilmentOrder, ProgramSettings, Redemption, Reward } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { cancelOrder, placeOrder, settleRedemption } from '../loyalty/fulfilment/fulfilment.js';
import { HttpRewardSupplier } from '../loyalty/fulfilment/http-supplier.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { temporalFulfilmentControl } from '../workflows/fulfilment-control.js';
import { createProgram, memberIdOf } from './support/program.js';
import { startDevServer, startWorkerHarness, testTiming, type WorkerHarness } from './support/temporal.js';

const secret = 'supplier-secret-shared-by-tessera-and-the-supplier';

/** A supplier's order API, as a small HTTP server of the test: it checks signatures itself. */
interface StandInOrder {
  orderId: string;
  body: Record<string, unknown>;
  /** The parcel left the warehouse (the supplier's callback about it may not have arrived). */
  shipped: boolean;
  cancelled: boolean;
}
const supplierOrders = new Map<string, StandInOrder>();
const supplierRequests: { path: string; signed: boolean; idempotencyKey: string | undefined }[] = [];
const lostAnswers = new Set(['flaky-kite', 'lost-kite']);
const earlyReports: number[] = [];

function signedBySecret(header: string | undefined, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match || Math.abs(Date.now() / 1000 - Number(match[1])) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

const standIn = express()
  .use(express.text({ type: 'application/json' }))
  .use((req, res, next) => {
    const signed = signedBySecret(req.header('tessera-signature'), req.body);
    supplierRequests.push({ path: req.path, signed, idempotencyKey: req.header('idempotency-key') });
    if (!signed) return void res.status(401).json({ title: 'bad signature' });
    next();
  })
  .post('/v2/orders', (req, res) => {
    const body = JSON.parse(req.body);
    if (body.reward.code === 'unsupplied-kite') return void res.status(422).json({ detail: 'we do not sell kites' });
    const known = supplierOrders.get(req.header('idempotency-key')!);
    if (known && !lostAnswers.has(body.reward.code)) return void res.status(200).json({ orderId: known.orderId });
    const order = known ?? { orderId: `SUP-${supplierOrders.size + 1}`, body, shipped: false, cancelled: false };
    supplierOrders.set(req.header('idempotency-key')!, order);
    // The warehouse took it, but the gateway's answer is lost: on every attempt for `lost-kite`, on the first for `flaky-kite`.
    if (lostAnswers.has(body.reward.code)) {
      if (body.reward.code === 'flaky-kite') lostAnswers.delete('flaky-kite');
      return void res.status(502).json({ title: 'gateway timeout' });
    }
    if (body.reward.code === 'instant-kite')
      void report({ reference: body.reference, status: 'shipped', carrier: 'Mail', trackingNumber: 'INSTANT01' }).then((r) =>
        earlyReports.push(r.status),
      );
    res.status(201).json({ orderId: order.orderId });
  })
  .post('/v2/orders/:reference/cancellation', (req, res) => {
    const order = supplierOrders.get(req.params.reference);
    if (!order) return void res.status(404).json({ title: 'no such order' });
    if (order.shipped) return void res.json({ status: 'shipped', carrier: 'DHL', trackingNumber: 'JVGL0999' });
    order.cancelled = true;
    res.json({ status: 'cancelled' });
  });

let harness: WorkerHarness;
const servers: Server[] = [];
let api: string;
let callbackUrl: string;
let key: string;
let supplierUrl: string;
let p: Awaited<ReturnType<typeof createProgram>>;
const fulfilment = () => temporalFulfilmentControl(harness.env.client, harness.db.dataSource);

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  supplierUrl = await listen(standIn);
  // The fulfilment looks at an order when it is placed and then only hourly: what settles it within
  // a test is the callback's signal.
  harness = await startWorkerHarness(startDevServer, 'http-supplier-test', {
    supplier: new HttpRewardSupplier({ url: `${supplierUrl}/v2/`, secret }),
    timing: { ...testTiming, fulfilment: { firstPollAfter: '1 hour', pollAtMostEvery: '1 hour', giveUpAfter: '1 day' } },
  });
  const db = harness.db.dataSource;
  p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1 });
  await db.manager.insert(EarningRule, {
    name: '10 points per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 10, rounding: 'down' },
  });
  await db.manager.insert(Reward, [
    { code: 'kite', name: 'Stunt kite', pointsPrice: 300, needsFulfilment: true, stock: 10 },
    { code: 'unsupplied-kite', name: 'Rare kite', pointsPrice: 100, needsFulfilment: true, stock: 10 },
    { code: 'flaky-kite', name: 'Flaky kite', pointsPrice: 300, needsFulfilment: true, stock: 10 },
    { code: 'lost-kite', name: 'Lost kite', pointsPrice: 300, needsFulfilment: true, stock: 10 },
    { code: 'instant-kite', name: 'Instant kite', pointsPrice: 300, needsFulfilment: true, stock: 10 },
    { code: 'renamed-kite', name: 'Renamed kite', pointsPrice: 300, needsFulfilment: true, stock: 10 },
    { code: 'coffee-voucher', name: 'Coffee voucher', pointsPrice: 150, needsFulfilment: false, stock: null },
  ]);
  const { partner } = await p.partner(100_000);
  key = (await issueApiKey(db.manager, partner.id, 'test')).secret;
  const base = await listen(
    createWebApp({
      health: {},
      api: { dataSource: db, ledger: p.ledger, processes: harness.processes },
      supplierCallback: { dataSource: db, ledger: p.ledger, secret, fulfilment: fulfilment() },
    }),
  );
  api = `${base}/api/v1`;
  callbackUrl = `${base}/api/supplier/v1/shipments`;
});
afterAll(async () => {
  for (const server of servers) server.close();
  await harness?.stop();
});

const post = async (path: string, body: unknown) =>
  (
    await fetch(`${api}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        ...(await memberConsentHeaders(harness.db.dataSource, key, path)),
      },
      body: JSON.stringify(body),
    })
  ).json();

/** The supplier's callback, signed with `signingSecret` at `at` (unix seconds). */
async function report(body: unknown, { signingSecret = secret, at = Math.floor(Date.now() / 1000) } = {}) {
  const raw = JSON.stringify(body);
  const signature = `t=${at},v1=${createHmac('sha256', signingSecret).update(`${at}.${raw}`).digest('hex')}`;
  const response = await fetch(callbackUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'tessera-signature': signature },
    body: raw,
  });
  return { status: response.status, body: await response.json() };
}

/** A member with `euros` × 10 points who redeemed `reward`, and that redemption once ordered from the supplier. */
async function orderedRedemption(externalId: string, euros: number, reward = 'kite') {
  await post('/events', {
    member: { externalId, email: `${externalId}@example.test` },
    type: 'purchase',
    amountCents: euros * 100,
    currency: 'EUR',
  });
  const redemption = await post(`/members/${externalId}/redemptions`, { reward });
  await expect.poll(() => statusOf(redemption.id), { timeout: 30_000 }).not.toBe('awaiting_fulfilment');
  return redemption as { id: string; points: number };
}

const statusOf = async (id: string) => (await harness.db.dataSource.manager.findOneByOrFail(Redemption, { id })).status;
const orderOf = (redemptionId: string) => harness.db.dataSource.manager.findOneByOrFail(FulfilmentOrder, { redemptionId });
const balance = async (externalId: string) =>
  (await (await fetch(`${api}/members/${externalId}`, { headers: { authorization: `Bearer ${key}` } })).json()).balance;
const subjects = async (externalId: string) =>
  (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(`${externalId}@example.test`)).map((m) => m.subject);
const stock = async (code: string) => (await harness.db.dataSource.query(`SELECT stock FROM reward WHERE code = $1`, [code]))[0].stock;
const result = (redemptionId: string, reward = 'kite') =>
  harness.env.client.workflow.getHandle(`reward-fulfilment-${reward}-${redemptionId}`).result();

it('orders over HTTP, signed and once, and spends the points as soon as the supplier reports the shipment', async () => {
  const redemption = await orderedRedemption('kite-ann', 50);
  expect(await statusOf(redemption.id)).toBe('ordered');
  const order = supplierOrders.get(redemption.id)!;
  expect(order.body).toEqual({
    reference: redemption.id,
    reward: { code: 'kite', name: 'Stunt kite' },
    quantity: 1,
    orderedAt: expect.any(String),
    recipient: { name: null, email: 'kite-ann@example.test', address: null },
  });
  expect(supplierRequests.filter((r) => r.idempotencyKey === redemption.id)).toEqual([
    { path: '/v2/orders', signed: true, idempotencyKey: redemption.id },
  ]);
  expect(await orderOf(redemption.id)).toMatchObject({ supplier: 'http', supplierOrderId: order.orderId, state: 'open' });

  const shipped = { reference: redemption.id, status: 'shipped', carrier: 'PostNL', trackingNumber: '3SABCD0123456' };
  expect(await report(shipped)).toEqual({ status: 200, body: { reference: redemption.id, outcome: 'recorded' } });
  // The signal settles it at once (the next look would be an hour away).
  expect(await result(redemption.id)).toBe('fulfilled');
  expect(await balance('kite-ann')).toMatchObject({ posted: 200, held: 0, available: 200 });
  expect(await orderOf(redemption.id)).toMatchObject({ state: 'shipped', carrier: 'PostNL', trackingNumber: '3SABCD0123456' });
  // The supplier sends its report again: nothing changes.
  expect(await report(shipped)).toEqual({ status: 200, body: { reference: redemption.id, outcome: 'already_recorded' } });
  await expect.poll(() => subjects('kite-ann'), { timeout: 10_000 }).toEqual(['Your reward is on its way: Stunt kite']);
  expect(await balance('kite-ann')).toMatchObject({ posted: 200, available: 200 });
});

it('refuses reports not signed with the supplier secret, too old, malformed, contrary, or about orders it never placed', async () => {
  const redemption = await orderedRedemption('kite-bo', 40);
  const shipped = { reference: redemption.id, status: 'shipped', carrier: 'DHL', trackingNumber: 'JVGL0001' };
  const now = Math.floor(Date.now() / 1000);
  const unsigned = await fetch(callbackUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(shipped),
  });
  expect(unsigned.status).toBe(401);
  expect(await unsigned.json()).toMatchObject({ status: 401, code: 'unauthorized' });
  expect((await report(shipped, { signingSecret: 'not-the-supplier-secret-but-long-enough' })).status).toBe(401);
  expect((await report(shipped, { at: now - 6 * 60 })).status).toBe(401);
  expect(await statusOf(redemption.id)).toBe('ordered');

  const unknown = await report({ ...shipped, reference: randomUUID() });
  expect(unknown).toMatchObject({ status: 404, body: { code: 'order_not_found', errors: [{ field: 'body.reference' }] } });
  expect((await report({ ...shipped, reference: 'not-one-of-ours' })).status).toBe(404);
  const malformed = await report({ reference: redemption.id, status: 'lost' });
  expect(malformed).toMatchObject({ status: 400, body: { code: 'invalid_request', errors: [{ field: 'body.status' }] } });

  expect((await report({ reference: redemption.id, status: 'failed', reason: 'out of stock' })).body.outcome).toBe('recorded');
  expect(await result(redemption.id)).toBe('cancelled');
  const contrary = await report(shipped);
  expect(contrary).toMatchObject({ status: 409, body: { code: 'report_conflict' } });
  expect(await balance('kite-bo')).toMatchObject({ posted: 400, available: 400, held: 0 });
  expect((await harness.db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id })).outcome).toBe(
    'the supplier could not deliver it',
  );
});

it('answers a report that is not JSON with a 415 and another method with a 405 naming POST, recording nothing', async () => {
  const redemption = await orderedRedemption('kite-ct', 40);
  const raw = JSON.stringify({ reference: redemption.id, status: 'shipped', carrier: 'DHL', trackingNumber: 'JVGL0415' });
  const at = Math.floor(Date.now() / 1000);
  const signature = `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${raw}`).digest('hex')}`;
  const asText = await fetch(callbackUrl, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'tessera-signature': signature },
    body: raw,
  });
  expect(asText.status).toBe(415);
  expect(await asText.json()).toMatchObject({ code: 'unsupported_media_type', errors: [{ field: 'header.Content-Type' }] });
  for (const method of ['GET', 'PUT', 'DELETE']) {
    const other = await fetch(callbackUrl, { method });
    expect(other.status, method).toBe(405);
    expect(other.headers.get('allow')).toBe('POST');
    expect(await other.json()).toMatchObject({ code: 'method_not_allowed' });
  }
  expect(await orderOf(redemption.id)).toMatchObject({ state: 'open' });
  const document = await (await fetch(callbackUrl.replace('/supplier/v1/shipments', '/openapi.json'))).json();
  expect(document.paths['/shipments'].post.operationId).toBe('reportShipment');
  expect(document.paths['/shipments'].post.responses).toHaveProperty('415');
});

it('gives the points back at once when the supplier refuses the order', async () => {
  await post('/events', {
    member: { externalId: 'kite-cy', email: 'kite-cy@example.test' },
    type: 'purchase',
    amountCents: 2_000,
    currency: 'EUR',
  });
  const redemption = await post('/members/kite-cy/redemptions', { reward: 'unsupplied-kite' });
  await expect.poll(() => statusOf(redemption.id), { timeout: 30_000 }).toBe('cancelled');
  expect(await result(redemption.id, 'unsupplied-kite')).toBe('cancelled');
  expect(await balance('kite-cy')).toMatchObject({ available: 200, held: 0 });
  expect((await harness.db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id })).outcome).toBe(
    'the supplier could not take the order',
  );
});

it("cancels the supplier's order when care cancels, then gives the points and the stock back", async () => {
  const before = await stock('kite');
  const redemption = await orderedRedemption('kite-di', 40);
  expect(await stock('kite')).toBe(before - 1);
  await fulfilment().cancel(redemption.id, 'by customer care');
  expect(await result(redemption.id)).toBe('cancelled');
  const order = supplierOrders.get(redemption.id)!;
  expect(order.cancelled).toBe(true);
  expect(supplierRequests.find((r) => r.path === `/v2/orders/${redemption.id}/cancellation`)).toMatchObject({ signed: true });
  expect(await orderOf(redemption.id)).toMatchObject({ state: 'cancelled', cancelledAt: expect.any(Date) });
  expect(await balance('kite-di')).toMatchObject({ posted: 400, available: 400, held: 0 });
  expect(await stock('kite')).toBe(before);
  await expect.poll(() => subjects('kite-di'), { timeout: 10_000 }).toEqual(['We could not deliver Stunt kite: your 300 points are back']);
});

it('keeps the reward and spends the points when the order had already shipped as care cancelled it', async () => {
  const redemption = await orderedRedemption('kite-ed', 40);
  // The parcel left; the supplier's report of it has not arrived.
  supplierOrders.get(redemption.id)!.shipped = true;
  await fulfilment().cancel(redemption.id, 'by customer care');
  expect(await result(redemption.id)).toBe('fulfilled');
  expect(await balance('kite-ed')).toMatchObject({ posted: 100, available: 100, held: 0 });
  expect(await orderOf(redemption.id)).toMatchObject({ state: 'shipped', carrier: 'DHL', trackingNumber: 'JVGL0999' });
  await expect.poll(() => subjects('kite-ed'), { timeout: 10_000 }).toEqual(['Your reward is on its way: Stunt kite']);
  expect((await checkLedger(harness.db.dataSource.manager)).violations).toEqual([]);
});

it('takes the points again, once, when a shipment is reported after the cancellation gave them back', async () => {
  const before = await stock('kite');
  const redemption = await orderedRedemption('kite-fay', 50);
  await fulfilment().cancel(redemption.id, 'by customer care');
  expect(await result(redemption.id)).toBe('cancelled');
  expect(await balance('kite-fay')).toMatchObject({ available: 500 });
  expect(await stock('kite')).toBe(before);

  // The supplier shipped it all the same.
  const late = { reference: redemption.id, status: 'shipped', carrier: 'UPS', trackingNumber: '1Z999AA10123456784' };
  expect(await report(late)).toEqual({ status: 200, body: { reference: redemption.id, outcome: 'points_taken' } });
  expect(await report(late)).toEqual({ status: 200, body: { reference: redemption.id, outcome: 'already_recorded' } });
  expect(await balance('kite-fay')).toMatchObject({ posted: 200, available: 200, held: 0 });
  expect(await stock('kite')).toBe(before - 1);
  const settled = await harness.db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id });
  expect(settled).toMatchObject({
    status: 'fulfilled',
    outcome: 'it was delivered after its cancellation: the points given back were taken again',
  });
  const history = await (await fetch(`${api}/members/kite-fay/transactions`, { headers: { authorization: `Bearer ${key}` } })).json();
  expect(history.entries[0]).toMatchObject({
    kind: 'burn',
    points: -300,
    explanation: [{ rule: 'redemption', points: -300, reason: '1 × Stunt kite, delivered after its cancellation' }],
  });
  expect((await checkLedger(harness.db.dataSource.manager)).violations).toEqual([]);
});

it('flags the redemption for care, taking nothing, when the member spent the points given back before the late shipment', async () => {
  const redemption = await orderedRedemption('kite-gus', 30);
  await fulfilment().cancel(redemption.id, 'by customer care');
  expect(await result(redemption.id)).toBe('cancelled');
  // The points came back and went on vouchers.
  await post('/members/kite-gus/redemptions', { reward: 'coffee-voucher', quantity: 2 });
  expect(await balance('kite-gus')).toMatchObject({ available: 0 });

  const late = { reference: redemption.id, status: 'shipped', carrier: 'UPS', trackingNumber: '1Z999AA10123456785' };
  expect(await report(late)).toEqual({ status: 200, body: { reference: redemption.id, outcome: 'needs_care' } });
  expect(await balance('kite-gus')).toMatchObject({ posted: 0, available: 0, held: 0 });
  expect(await harness.db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id })).toMatchObject({
    status: 'needs_care',
    outcome: 'it was delivered after its cancellation, and the points given back were spent since',
  });
  expect((await checkLedger(harness.db.dataSource.manager)).violations).toEqual([]);
});

it('settles a shipment reported after the operator renamed the reward, at once', async () => {
  const redemption = await orderedRedemption('kite-ren', 40, 'renamed-kite');
  // The workflow was started under the old code; the signal must still find it.
  await harness.db.dataSource.manager.update(Reward, { code: 'renamed-kite' }, { code: 'kite-2027' });
  const shipped = { reference: redemption.id, status: 'shipped', carrier: 'PostNL', trackingNumber: '3SREN0001' };
  expect((await report(shipped)).body.outcome).toBe('recorded');
  // The next look is an hour away: only the signal settles it within the test.
  const settled = await Promise.race([
    result(redemption.id, 'renamed-kite'),
    new Promise((r) => setTimeout(() => r('still waiting'), 20_000)),
  ]);
  expect(settled).toBe('fulfilled');
  expect(await balance('kite-ren')).toMatchObject({ posted: 100, held: 0 });
});

describe('an order whose answer is lost on the way', () => {
  it('asks again with the same reference and ships the reward once, spending the points once', async () => {
    const redemption = await orderedRedemption('flaky-cy', 50, 'flaky-kite');
    expect(await statusOf(redemption.id)).toBe('ordered');
    expect(await orderOf(redemption.id)).toMatchObject({ state: 'open', supplierOrderId: supplierOrders.get(redemption.id)!.orderId });
    expect(await report({ reference: redemption.id, status: 'shipped', carrier: 'DHL', trackingNumber: 'JVGL0101' })).toMatchObject({
      status: 200,
    });
    expect(await result(redemption.id, 'flaky-kite')).toBe('fulfilled');
    expect(await balance('flaky-cy')).toMatchObject({ available: 200, held: 0 });
  });

  it('cancels by its reference when it gives up placing it, and takes the points again when the parcel leaves all the same', async () => {
    const db = harness.db.dataSource;
    await post('/events', {
      member: { externalId: 'lost-dee', email: 'lost-dee@example.test' },
      type: 'purchase',
      amountCents: 5_000,
      currency: 'EUR',
    });
    // Redeemed without starting the fulfilment: this test plays its steps one by one.
    const redemption = await inTransaction(db, async (manager) =>
      redeemReward(manager, p.ledger, {
        memberId: await memberIdOf(manager, 'lost-dee'),
        rewardCode: 'lost-kite',
        quantity: 1,
        partnerId: null,
        key: randomUUID(),
      }),
    );
    const supplier = new HttpRewardSupplier({ url: `${supplierUrl}/v2/`, secret });
    await expect(placeOrder(db, supplier, redemption.id)).rejects.toThrow(/502/);
    expect(await orderOf(redemption.id)).toMatchObject({ state: 'placing', supplierOrderId: null });
    // Giving up: the order is dropped at the supplier by Tessera's reference, then the points go back.
    expect(await cancelOrder(db, p.ledger, supplier, redemption.id)).toBe('cancelled');
    expect(supplierOrders.get(redemption.id)).toMatchObject({ cancelled: true });
    expect(await settleRedemption(db, p.ledger, redemption.id, 'the supplier could not take the order')).toEqual({
      status: 'cancelled',
      settledNow: true,
    });
    expect(await balance('lost-dee')).toMatchObject({ available: 500, held: 0 });
    // The warehouse shipped before the cancellation reached it: the report is taken, and so are the points.
    expect(await report({ reference: redemption.id, status: 'shipped', carrier: 'DHL', trackingNumber: 'JVGL0202' })).toMatchObject({
      status: 200,
      body: { outcome: 'points_taken' },
    });
    expect(await balance('lost-dee')).toMatchObject({ available: 200 });
    expect((await checkLedger(db.manager)).violations).toEqual([]);
  });

  it('takes a shipment the supplier reports while it is still answering the order', async () => {
    const redemption = await orderedRedemption('instant-eve', 50, 'instant-kite');
    await expect.poll(() => earlyReports, { timeout: 10_000 }).toEqual([200]);
    expect(await result(redemption.id, 'instant-kite')).toBe('fulfilled');
    expect(await orderOf(redemption.id)).toMatchObject({ state: 'shipped', trackingNumber: 'INSTANT01' });
  });
});
