import { createHmac, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, ProgramSettings, WebhookDelivery, WebhookEndpoint } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { createWebApp } from '../wiring/web-app.js';
import { temporalWebhooks } from '../workflows/webhook-dispatch.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

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
  const webhooks = temporalWebhooks(harness.env.client, harness.taskQueue, { firstRetryAfter: '200 milliseconds', maximumAttempts: 4 });
  const api = await listen(createWebApp({ health: {}, api: { dataSource: db, ledger: p.ledger, webhooks } }));

  const response = await fetch(`${api}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ member: { externalId: 'hook-ann' }, type: 'purchase', amountCents: 2_500, currency: 'EUR' }),
  });
  expect(response.status).toBe(201);
  const deliveries = async () => db.manager.find(WebhookDelivery, { order: { createdAt: 'ASC' } });
  await expect.poll(async () => (await deliveries()).map((d) => d.status).sort(), { timeout: 30_000 }).toEqual(['delivered', 'failed']);
  const [delivered, failed] = [(await deliveries()).find((d) => d.status === 'delivered')!, (await deliveries()).find((d) => d.status === 'failed')!];
  expect(delivered).toMatchObject({ attempts: 3, lastStatusCode: 204, lastError: null });
  expect(failed.attempts).toBe(4);
  expect(failed.lastError).toBeTruthy();

  expect(received).toHaveLength(1);
  const { signature, body } = received[0]!;
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
  expect(createHmac('sha256', 'whsec-test').update(`${t}.${body}`).digest('hex')).toBe(v1);
  expect(JSON.parse(body)).toMatchObject({ event: 'points.earned', data: { member: 'hook-ann', points: 25 } });
});
