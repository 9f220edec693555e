import { createHmac, randomUUID } from 'node:crypto';
import { memberConsentHeaders } from './support/member-consent.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { In } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, ProgramSettings, Reward, WebhookDelivery, WebhookEndpoint } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { createWebApp } from '../wiring/web-app.js';
import { queueProcess } from '../loyalty/outbox.js';
import { attemptWebhook } from '../loyalty/webhooks.js';
import { outboxSweepWorkflow } from '../workflows/outbox-sweep.workflow.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';
import { pointsExpiryWorkflow } from '../workflows/points-expiry.workflow.js';

let harness: WorkerHarness;
const servers: Server[] = [];
const received: { signature: string; body: string }[] = [];
let failuresLeft = 2;

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'webhook-test');
});
afterAll(async () => {
  for (const server of servers) server.close();
  await harness?.stop();
});

it('delivers signed webhooks, retrying with backoff, and records each attempt; gives up after the last', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1 });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  const { partner } = await p.partner(10_000);
  const key = (await issueApiKey(db.manager, partner.id, 'test')).secret;

  // The partner's receiver: down twice, then up.
  const receiver = express().post('/hooks', express.text({ type: '*/*' }), (req, res) => {
    if (failuresLeft-- > 0) return void res.status(503).end();
    received.push({ signature: req.header('tessera-signature') ?? '', body: req.body });
    res.status(204).end();
  });
  const receiverUrl = await listen(receiver);
  await db.manager.insert(WebhookEndpoint, [
    { partnerId: partner.id, url: `${receiverUrl}/hooks`, events: ['points.earned'], secret: 'whsec-test' },
    { partnerId: partner.id, url: 'http://127.0.0.1:9/unreachable', events: ['points.earned'], secret: 'whsec-other' },
  ]);
  const api = await listen(createWebApp({ health: {}, api: { dataSource: db, ledger: p.ledger, processes: harness.processes } }));

  const response = await fetch(`${api}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ member: { externalId: 'hook-ann' }, type: 'purchase', amountCents: 2_500, currency: 'EUR' }),
  });
  expect(response.status).toBe(201);
  const deliveries = async () => db.manager.find(WebhookDelivery, { order: { createdAt: 'ASC' } });
  await expect.poll(async () => (await deliveries()).map((d) => d.status).sort(), { timeout: 30_000 }).toEqual(['delivered', 'failed']);
  const [delivered, failed] = [
    (await deliveries()).find((d) => d.status === 'delivered')!,
    (await deliveries()).find((d) => d.status === 'failed')!,
  ];
  expect(delivered).toMatchObject({ attempts: 3, lastStatusCode: 204, lastError: null });
  expect(failed.attempts).toBe(4);
  expect(failed.lastError).toBeTruthy();

  expect(received).toHaveLength(1);
  const { signature, body } = received[0]!;
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
  expect(createHmac('sha256', 'whsec-test').update(`${t}.${body}`).digest('hex')).toBe(v1);
  expect(JSON.parse(body)).toMatchObject({ event: 'points.earned', data: { member: 'hook-ann', points: 25 } });
});

it('tells the partner of redemptions completed (instant and shipped) and of the points it funded that expired', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const { partner } = await p.partner(10_000);
  const key = (await issueApiKey(db.manager, partner.id, 'test')).secret;
  await db.manager.insert(Reward, [
    { code: 'hook-voucher', name: 'Voucher', pointsPrice: 5, needsFulfilment: false, stock: null },
    { code: 'hook-mug', name: 'Mug', pointsPrice: 7, needsFulfilment: true, stock: 3 },
  ]);
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const receiver = express().post('/hooks', express.json(), (req, res) => {
    events.push(req.body);
    res.status(200).end();
  });
  await db.manager.insert(WebhookEndpoint, {
    partnerId: partner.id,
    url: `${await listen(receiver)}/hooks`,
    events: ['redemption.completed', 'points.expired'],
    secret: 'whsec-2',
  });
  const api = await listen(createWebApp({ health: {}, api: { dataSource: db, ledger: p.ledger, processes: harness.processes } }));
  const post = async (path: string, body: object) =>
    fetch(`${api}/api/v1${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        ...(await memberConsentHeaders(db, key, path)),
      },
      body: JSON.stringify(body),
    }).then((r) => r.json());

  await post('/events', { member: { externalId: 'hook-bo' }, type: 'purchase', amountCents: 3_000, currency: 'EUR' });
  const voucher = await post('/members/hook-bo/redemptions', { reward: 'hook-voucher' });
  const mug = await post('/members/hook-bo/redemptions', { reward: 'hook-mug' });
  const received = (event: string) => events.filter((e) => e.event === event).map((e) => e.data);
  await expect.poll(() => received('redemption.completed').length, { timeout: 30_000 }).toBe(2);
  expect(received('redemption.completed')).toEqual(
    expect.arrayContaining([
      { redemption: voucher.id, member: 'hook-bo', reward: 'hook-voucher', quantity: 1, points: 5, status: 'completed' },
      { redemption: mug.id, member: 'hook-bo', reward: 'hook-mug', quantity: 1, points: 7, status: 'fulfilled' },
    ]),
  );

  // The member's remaining 18 points (30 earned, 12 spent) reach their expiry date.
  await db.query(`UPDATE point_lot SET "expiresAt" = now() - interval '1 day' WHERE remaining > 0 AND "fundingPartnerId" = $1`, [
    partner.id,
  ]);
  const expiry = await harness.env.client.workflow.execute(pointsExpiryWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: `points-expiry-${randomUUID()}`,
    args: [{ alertDays: [] }],
  });
  expect(expiry).toMatchObject({ expiredPoints: 18, breakageByPartner: { [partner.id]: 18 } });
  await expect.poll(() => received('points.expired').reduce((sum, e) => sum + Number(e.points), 0), { timeout: 30_000 }).toBe(18);
  expect(received('points.expired').every((e) => e.member === 'hook-bo')).toBe(true);
  // The receiver's answer is recorded just after it arrives: wait for the record too.
  await expect
    .poll(async () =>
      (await db.manager.find(WebhookDelivery, { where: { event: 'points.expired' } })).every((d) => d.status === 'delivered'),
    )
    .toBe(true);
  const deliveries = await db.manager.find(WebhookDelivery, { where: { event: 'points.expired' } });
  const started = await db.query(`SELECT "dispatchedAt" FROM outbox_entry WHERE "subjectId" = ANY($1::uuid[])`, [
    deliveries.map((d) => d.id),
  ]);
  expect(started.map((e: { dispatchedAt: Date | null }) => e.dispatchedAt !== null)).toEqual(deliveries.map(() => true));
});

it('the outbox sweep starts deliveries queued but never started (a crash between commit and start), once', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const { partner } = await p.partner(0);
  const bodies: string[] = [];
  const receiver = express().post('/hooks', express.text({ type: '*/*' }), (req, res) => {
    bodies.push(req.body);
    res.status(200).end();
  });
  const [endpoint] = await db.manager.save(WebhookEndpoint, [
    { partnerId: partner.id, url: `${await listen(receiver)}/hooks`, events: ['points.earned'], secret: 'whsec-3' },
  ]);
  // Queued and committed, then the process died before starting its delivery.
  const orphan = await db.transaction(async (manager) => {
    const [delivery] = await manager.save(WebhookDelivery, [
      { endpointId: endpoint!.id, event: 'points.earned', payload: { event: 'points.earned', data: { member: 'orphan', points: 3 } } },
    ]);
    await queueProcess(manager, 'webhook_delivery', delivery!.id, {});
    return delivery!;
  });

  const sweep = () =>
    harness.env.client.workflow.execute(outboxSweepWorkflow, {
      taskQueue: harness.taskQueue,
      workflowId: `outbox-sweep-${randomUUID()}`,
    });
  expect(await sweep()).toBeGreaterThanOrEqual(1);
  await expect
    .poll(async () => (await db.manager.findOneByOrFail(WebhookDelivery, { id: orphan.id })).status, { timeout: 30_000 })
    .toBe('delivered');
  expect(await sweep()).toBe(0);
  expect(bodies.map((b) => JSON.parse(b).data)).toEqual([{ member: 'orphan', points: 3 }]);
});

it('does not follow a redirect: the signed body never reaches where an endpoint points it, and the attempt fails', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const { partner } = await p.partner(0);
  const elsewhere: string[] = [];
  const internal = await listen(
    express().post('/admin', express.text({ type: '*/*' }), (req, res) => {
      elsewhere.push(req.body);
      res.status(200).end();
    }),
  );
  const redirecting = await listen(express().post('/hooks', (_req, res) => res.redirect(307, `${internal}/admin`)));
  const [endpoint] = await db.manager.save(WebhookEndpoint, [
    { partnerId: partner.id, url: `${redirecting}/hooks`, events: ['points.earned'], secret: 'whsec-4' },
  ]);
  const [delivery] = await db.manager.save(WebhookDelivery, [
    { endpointId: endpoint!.id, event: 'points.earned', payload: { event: 'points.earned', data: { member: 'm', points: 1 } } },
  ]);

  await expect(attemptWebhook(db, delivery!.id)).rejects.toThrow(/redirect/);
  expect(elsewhere).toEqual([]);
  const attempted = await db.manager.findOneByOrFail(WebhookDelivery, { id: delivery!.id });
  expect([attempted.status, attempted.lastStatusCode, attempted.lastError]).toEqual([
    'pending',
    307,
    'answered 307: redirects are not followed; set the endpoint to the final address',
  ]);
});

it('sends nothing to an endpoint disabled or deleted after the event was queued, and stops retrying it', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const { partner } = await p.partner(0);
  const heard: string[] = [];
  const url = await listen(
    express().post('/hooks', express.text({ type: '*/*' }), (req, res) => {
      heard.push(req.body);
      res.status(204).end();
    }),
  );
  // A process that cached the endpoints queues for them just before one is disabled and one deleted.
  const [disabled, deleted] = await db.manager.save(WebhookEndpoint, [
    { partnerId: partner.id, url: `${url}/hooks`, events: ['points.earned'], secret: 'whsec-5' },
    { partnerId: partner.id, url: `${url}/hooks`, events: ['points.earned'], secret: 'whsec-6' },
  ]);
  const payload = { event: 'points.earned', data: { member: 'm', points: 1 } };
  const queued = await db.manager.save(WebhookDelivery, [
    { endpointId: disabled!.id, event: 'points.earned', payload },
    { endpointId: deleted!.id, event: 'points.earned', payload },
  ]);
  await db.manager.update(WebhookEndpoint, { id: disabled!.id }, { active: false });
  await db.manager.delete(WebhookEndpoint, { id: deleted!.id });

  for (const delivery of queued) await expect(attemptWebhook(db, delivery.id)).resolves.toBe('endpoint_gone');
  expect(heard).toEqual([]);
  const after = await db.manager.findBy(WebhookDelivery, { id: In(queued.map((d) => d.id)) });
  expect(after.map((d) => [d.endpointId === disabled!.id ? 'disabled' : 'deleted', d.status, d.attempts, d.lastError]).sort()).toEqual([
    ['deleted', 'failed', 0, 'the endpoint was deleted before the delivery was sent'],
    ['disabled', 'failed', 0, 'the endpoint was disabled before the delivery was sent'],
  ]);
});
