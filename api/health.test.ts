import type { AddressInfo } from 'node:net';
import express from 'express';
import { expect, it } from 'vitest';
import { healthRouter, type HealthCheck } from './health.js';

async function getHealth(checks: Record<string, HealthCheck>) {
  const app = express().use(healthRouter(checks, 200));
  const server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health`);
    return { status: response.status, body: await response.json() };
  } finally {
    server.close();
  }
}

it('answers 200 when every component answers', async () => {
  const { status, body } = await getHealth({ database: async () => 1, smtp: async () => true });
  expect(status).toBe(200);
  expect(body).toMatchObject({ status: 'ok', components: { database: { ok: true }, smtp: { ok: true } } });
});

it('answers 503 naming the component that failed or did not answer in time', async () => {
  const { status, body } = await getHealth({
    database: async () => 1,
    temporal: () => new Promise(() => undefined),
    smtp: async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:25');
    },
  });
  expect(status).toBe(503);
  expect(body.status).toBe('degraded');
  expect(body.components.database.ok).toBe(true);
  expect(body.components.temporal).toMatchObject({ ok: false, error: 'no answer within 200 ms' });
  expect(body.components.smtp).toMatchObject({ ok: false, error: 'connect ECONNREFUSED 127.0.0.1:25' });
});
