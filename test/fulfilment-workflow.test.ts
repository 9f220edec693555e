import type { Server } from 'node:http';
import { memberConsentHeaders } from './support/member-consent.js';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, FulfilmentOrder, ProgramSettings, Redemption, Reward } from '../entities/index.js';
import { recordShipmentReport } from '../loyalty/fulfilment/shipment-reports.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { readInbox, startMailSink } from '../wiring/embedded/mail-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { temporalFulfilmentControl } from '../workflows/fulfilment-control.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
let server: Server;
let api: string;
let key: string;
let p: Awaited<ReturnType<typeof createProgram>>;
let fulfilment: ReturnType<typeof temporalFulfilmentControl>;

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'fulfilment-test');
  const db = harness.db;
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1 });
  await db.dataSource.manager.insert(EarningRule, {
    name: '10 points per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 10, rounding: 'down' },
  });
  await db.dataSource.manager.insert(Reward, [
    { code: 'mug', name: 'Tessera mug', pointsPrice: 300, needsFulfilment: true, stock: 5 },
    { code: 'broken-gadget', name: 'Gadget', pointsPrice: 200, needsFulfilment: true, stock: 5 },
    { code: 'backordered-lamp', name: 'Desk lamp', pointsPrice: 250, needsFulfilment: true, stock: 5 },
  ]);
  const { partner } = await p.partner(100_000);
  key = (await issueApiKey(db.dataSource.manager, partner.id, 'test')).secret;
  fulfilment = temporalFulfilmentControl(harness.env.client, harness.db.dataSource);
  server = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger, processes: harness.processes } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  server?.close();
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

async function memberWith(externalId: string, euros: number) {
  await post('/events', {
    member: { externalId, email: `${externalId}@example.test` },
    type: 'purchase',
    amountCents: euros * 100,
    currency: 'EUR',
  });
}
const summary = async (externalId: string) =>
  (await fetch(`${api}/members/${externalId}`, { headers: { authorization: `Bearer ${key}` } })).json();
const statusOf = async (id: string) => (await harness.db.dataSource.manager.findOneByOrFail(Redemption, { id })).status;
const mailsTo = async (address: string) => (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(address));

it('holds the points, orders, waits for the shipment, then spends them and emails the member', async () => {
  await memberWith('ship-ann', 50);
  const redemption = await post('/members/ship-ann/redemptions', { reward: 'mug' });
  expect(redemption).toMatchObject({ status: 'awaiting_fulfilment', points: 300 });
  expect((await summary('ship-ann')).balance).toMatchObject({ available: 200, held: 300 });
  await expect.poll(() => statusOf(redemption.id), { timeout: 30_000 }).toBe('fulfilled');
  expect((await summary('ship-ann')).balance).toMatchObject({ posted: 200, available: 200, held: 0 });
  await expect
    .poll(async () => (await mailsTo('ship-ann@example.test')).map((m) => m.subject), { timeout: 10_000 })
    .toEqual(['Your reward is on its way: Tessera mug']);
  expect(await harness.env.client.workflow.getHandle(`reward-fulfilment-mug-${redemption.id}`).result()).toBe('fulfilled');
});

it('gives the points and the stock back and tells the member when the supplier cannot deliver', async () => {
  await memberWith('ship-bo', 30);
  const redemption = await post('/members/ship-bo/redemptions', { reward: 'broken-gadget' });
  expect((await summary('ship-bo')).balance).toMatchObject({ available: 100, held: 200 });
  await expect.poll(() => statusOf(redemption.id), { timeout: 30_000 }).toBe('cancelled');
  expect((await summary('ship-bo')).balance).toMatchObject({ available: 300, held: 0 });
  const [reward] = await harness.db.dataSource.query(`SELECT stock FROM reward WHERE code = 'broken-gadget'`);
  expect(reward.stock).toBe(5);
  await expect
    .poll(async () => (await mailsTo('ship-bo@example.test')).map((m) => m.subject), { timeout: 10_000 })
    .toEqual(['We could not deliver Gadget: your 200 points are back']);
  expect((await checkLedger(harness.db.dataSource.manager)).violations).toEqual([]);
});

it("cancels an unshipped redemption on a care agent's signal: points and stock back, the member told, once", async () => {
  await memberWith('ship-cy', 40);
  const redemption = await post('/members/ship-cy/redemptions', { reward: 'backordered-lamp' });
  await expect.poll(() => statusOf(redemption.id), { timeout: 30_000 }).toBe('ordered');
  expect((await summary('ship-cy')).balance).toMatchObject({ available: 150, held: 250 });

  // What the back office's "Cancel fulfilment" sends; a second click changes nothing.
  await fulfilment.cancel(redemption.id, 'by customer care');
  await fulfilment.cancel(redemption.id, 'twice');
  await expect.poll(() => statusOf(redemption.id), { timeout: 30_000 }).toBe('cancelled');
  expect((await summary('ship-cy')).balance).toMatchObject({ posted: 400, available: 400, held: 0 });
  const [reward] = await harness.db.dataSource.query(`SELECT stock FROM reward WHERE code = 'backordered-lamp'`);
  expect(reward.stock).toBe(5);
  await expect
    .poll(async () => (await mailsTo('ship-cy@example.test')).map((m) => m.subject), { timeout: 10_000 })
    .toEqual(['We could not deliver Desk lamp: your 250 points are back']);
  expect((await mailsTo('ship-cy@example.test'))[0]!.text).toContain('(cancelled: by customer care)');
  const outcome = await harness.env.client.workflow.getHandle(`reward-fulfilment-backordered-lamp-${redemption.id}`).result();
  expect(outcome).toBe('cancelled');
  expect((await harness.db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id })).outcome).toBe(
    'cancelled: by customer care',
  );
  // The supplier's order was cancelled before the points went back.
  expect(await harness.db.dataSource.manager.findOneByOrFail(FulfilmentOrder, { redemptionId: redemption.id })).toMatchObject({
    state: 'cancelled',
    cancelledAt: expect.any(Date),
  });
  expect((await checkLedger(harness.db.dataSource.manager)).violations).toEqual([]);
});

it('finds a shipment recorded without a signal at its next look: a lost signal strands nothing', async () => {
  await memberWith('ship-el', 40);
  const redemption = await post('/members/ship-el/redemptions', { reward: 'backordered-lamp' });
  await expect.poll(() => statusOf(redemption.id), { timeout: 30_000 }).toBe('ordered');
  // Recorded as the back office or the callback do, but the signal that follows is lost.
  const recorded = await recordShipmentReport(harness.db.dataSource, p.ledger, {
    redemptionId: redemption.id,
    reportedBy: 'operator@tessera.test',
    outcome: 'shipped',
    carrier: 'PostNL',
    trackingNumber: '3SABCD0000001',
  });
  expect(recorded).toEqual({ outcome: 'recorded' });
  await expect.poll(() => statusOf(redemption.id), { timeout: 30_000 }).toBe('fulfilled');
  expect((await summary('ship-el')).balance).toMatchObject({ posted: 150, available: 150, held: 0 });
});

it('emails the member once the mail server is back when it was down as the reward shipped', async () => {
  await memberWith('ship-di', 40);
  const port = Number(new URL(harness.sink.smtpUrl).port);
  await harness.sink.stop();
  const redemption = await post('/members/ship-di/redemptions', { reward: 'mug' });
  await expect.poll(() => statusOf(redemption.id), { timeout: 30_000 }).toBe('fulfilled');
  const handle = harness.env.client.workflow.getHandle(`reward-fulfilment-mug-${redemption.id}`);
  const emailAttempt = async () =>
    (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'emailFulfilmentOutcome')?.attempt ?? 0;
  await expect.poll(emailAttempt, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  expect((await summary('ship-di')).balance).toMatchObject({ posted: 100, held: 0 });

  const restarted = await startMailSink(harness.sink.directory, port);
  try {
    expect(await handle.result()).toBe('fulfilled');
    expect((await mailsTo('ship-di@example.test')).map((m) => m.subject)).toEqual(['Your reward is on its way: Tessera mug']);
  } finally {
    await restarted.stop();
  }
}, 60_000);
