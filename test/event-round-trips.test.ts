import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, ProgramSettings } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

let db: TestDatabase;
let server: Server;
let base: string;
let key: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1 });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  const { partner } = await p.partner(100_000);
  key = (await issueApiKey(db.dataSource.manager, partner.id, 'test')).secret;
  server = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  server.close();
  await db.drop();
});

const purchase = (externalId: string) =>
  fetch(`${base}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ member: { externalId }, type: 'purchase', amountCents: 4_250, currency: 'EUR' }),
  });

/** Every statement any connection of this process sends while `during` runs. */
async function statementsDuring(during: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [text] = args;
    sent.push(typeof text === 'string' ? text : String((text as { text?: string }).text));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await during();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}

it('records a known member’s purchase in at most three round trips once the caches are warm', async () => {
  const member = `rt-${randomUUID().slice(0, 8)}`;
  expect((await purchase(member)).status).toBe(201);
  let answered: Response | undefined;
  const statements = await statementsDuring(async () => {
    answered = await purchase(member);
  });
  expect(answered!.status).toBe(201);
  expect(await answered!.json()).toMatchObject({ points: 42, totalPoints: 42 });
  expect(statements, statements.join('\n---\n')).toHaveLength(3);
});
