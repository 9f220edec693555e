import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, OutboxEntry, ProgramSettings, Tier, WebhookDelivery, WebhookEndpoint } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { generationOf } from '../loyalty/configuration-freshness.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { listenForConfigurationChanges, type ConfigurationListener } from '../wiring/configuration-listener.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { statementsDuring } from './support/statements.js';
import { createProgram } from './support/program.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let listener: ConfigurationListener;
let server: Server;
let base: string;
let shop: { id: string; walletId: string; key: string };

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  const { partner, wallet } = await p.partner(10_000);
  shop = { id: partner.id, walletId: wallet.id, key: (await issueApiKey(m, partner.id, 'till')).secret };
  await m.insert(WebhookEndpoint, { partnerId: partner.id, url: 'http://127.0.0.1:9/hooks', events: ['points.earned'], secret: 'whsec-x' });
  // No heartbeat during a test: its SELECT 1 would count as one of an event's round trips.
  listener = await listenForConfigurationChanges(db.dataSource, db.url, { heartbeatMs: 600_000 });
  server = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  server.close();
  await listener.close();
  await db.drop();
});

const post = (body: object, idempotencyKey: string = randomUUID()) =>
  fetch(`${base}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${shop.key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
const purchase = (externalId: string, amountCents: number, email?: string) => ({
  member: { externalId, ...(email ? { email } : {}) },
  type: 'purchase',
  amountCents,
  currency: 'EUR',
});

/** What an event left in the database, without its ids: the event row, its transfer, lot, deliveries. */
async function written(eventId: string) {
  const [event] = await db.dataSource.query(
    `SELECT e.type, e."amountCents", e.currency, e.lines, e.channel, e.points, e."bonusPoints", e.explanation, e."byRule", e."byBooster",
            t.amount, t.kind, t.phase, t."idempotencySource", t.explanation AS "transferExplanation", t."references" - 'event' AS "references",
            l.points AS "lotPoints", l."expiresAt"::date - e."occurredAt"::date AS "lotDays", l."fundingPartnerId"
       FROM member_event e JOIN ledger_transfer t ON t.id = e."earnTransferId" JOIN point_lot l ON l."creditTransferId" = t.id
      WHERE e.id = $1`,
    [eventId],
  );
  const deliveries = await db.dataSource.manager.find(WebhookDelivery, { where: {} });
  const delivered = deliveries.filter((d) => (d.payload as { data: { eventId: string } }).data.eventId === eventId);
  const outbox = await db.dataSource.manager.findBy(OutboxEntry, { subjectId: delivered[0]?.id ?? randomUUID() });
  return {
    event,
    webhooks: delivered.map((d) => ({
      event: d.event,
      data: { ...(d.payload as { data: object }).data, eventId: 'the event', member: 'the member' },
    })),
    outbox: outbox.map((o) => o.process),
  };
}

it('records a known member’s purchase in two round trips, writing what the full path writes and answering as it does', async () => {
  await post(purchase('ada', 100));
  await post(purchase('grace', 100));
  let lean: Response | undefined;
  const statements = await statementsDuring(async () => {
    lean = await post(purchase('ada', 4_250));
  });
  expect(statements, statements.join('\n---\n')).toHaveLength(2);
  expect(lean!.status).toBe(201);
  const leanBody = await lean!.json();

  // The same purchase by the full path: an address sent with the customer makes every event take it.
  let full: Response | undefined;
  const fullStatements = await statementsDuring(async () => {
    full = await post(purchase('grace', 4_250, 'grace@example.test'));
  });
  expect(fullStatements.length).toBeGreaterThan(3);
  const fullBody = await full!.json();
  expect({ ...leanBody, id: 'the event', member: null }).toEqual({ ...fullBody, id: 'the event', member: null });
  expect(leanBody).toMatchObject({ points: 42, totalPoints: 42, tier: null, member: { externalId: 'ada', enrolledNow: false } });
  expect(await written(leanBody.id)).toEqual(await written(fullBody.id));
  expect((await written(leanBody.id)).outbox).toEqual(['webhook_delivery']);
});

it('earns by the member’s tier in two round trips, and leaves an upgrade to the full path', async () => {
  await db.dataSource.manager.insert(Tier, [
    { code: 'silver', name: 'Silver', threshold: 0, multiplier: 2 },
    { code: 'gold', name: 'Gold', threshold: 300, multiplier: 3 },
  ]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await post(purchase('ada', 100));
  let lean: Response | undefined;
  const statements = await statementsDuring(async () => {
    lean = await post(purchase('ada', 1_000));
  });
  expect(statements, statements.join('\n---\n')).toHaveLength(2);
  const leanBody = await lean!.json();
  expect(leanBody).toMatchObject({ points: 20, tier: 'silver', upgradedTo: null });
  const fullBody = await (await post(purchase('grace', 1_000, 'grace@example.test'))).json();
  expect({ ...leanBody, id: 'the event' }).toEqual({ ...fullBody, id: 'the event', member: leanBody.member });

  let upgrade: Response | undefined;
  const upgradeStatements = await statementsDuring(async () => {
    upgrade = await post(purchase('ada', 15_000));
  });
  expect(upgradeStatements.length).toBeGreaterThan(3);
  expect(await upgrade!.json()).toMatchObject({ points: 300, tier: 'gold', upgradedTo: 'gold' });
  await db.dataSource.query(`DELETE FROM tier`);
  await new Promise((resolve) => setTimeout(resolve, 200));
});

it('replays the same request, refuses its key for another body, and runs a refused event again', async () => {
  const key = randomUUID();
  const first = await post(purchase('ada', 1_000), key);
  expect(first.status).toBe(201);
  const again = await post(purchase('ada', 1_000), key);
  expect(again.status).toBe(201);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(await again.json()).toEqual(await first.json());
  const other = await post(purchase('ada', 2_000), key);
  expect(other.status).toBe(409);

  // More than the wallet holds: the full path's refusal, and nothing kept for the key.
  const transfers = await p.transferCount();
  const refusedKey = randomUUID();
  const refused = await post(purchase('ada', 10_000_000), refusedKey);
  expect(refused.status).toBe(422);
  expect(await p.transferCount()).toBe(transfers);
  const [{ n }] = await db.dataSource.query(`SELECT COUNT(*)::int AS n FROM api_request WHERE "idempotencyKey" = $1`, [refusedKey]);
  expect(n).toBe(0);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it('replays an event whose occurredAt has left the backdate window since, and refuses its key for another body, as the full path does', async () => {
  const [{ days }] = await db.dataSource.query(`SELECT "eventBackdateDays" AS days FROM program_settings WHERE id = 1`);
  const key = randomUUID();
  const body = { ...purchase('ada', 500), occurredAt: new Date(Date.now() - days * 86_400_000 + 3_000).toISOString() };
  const first = await post(body, key);
  expect(first.status).toBe(201);
  await new Promise((resolve) => setTimeout(resolve, 3_500));

  const again = await post(body, key);
  expect(again.status).toBe(201);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(await again.json()).toEqual(await first.json());
  expect((await post({ ...body, amountCents: 600 }, key)).status).toBe(409);
});

it('answers concurrent twins of one event with one event and one answer', async () => {
  const count = async () => (await db.dataSource.query(`SELECT COUNT(*)::int AS n FROM member_event`))[0].n as number;
  const before = await count();
  const key = randomUUID();
  const answers = await Promise.all([1, 2, 3, 4].map(() => post(purchase('ada', 700), key)));
  expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
  const bodies = await Promise.all(answers.map((a) => a.json()));
  for (const body of bodies) expect(body).toEqual(bodies[0]);
  expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(3);
  expect(await count()).toBe(before + 1);
});

it('takes the full path when the member comes to owe points between the read and the write', async () => {
  expect((await post(purchase('dora', 1_000))).status).toBe(201);
  const [{ accountId, earn }] = await db.dataSource.query(
    `SELECT a.id AS "accountId", (SELECT t.id FROM ledger_transfer t WHERE t."creditAccountId" = a.id AND t.kind = 'earn' LIMIT 1) AS earn
       FROM member_link l JOIN ledger_account a ON a."memberId" = l."memberId" WHERE l."customerId" = 'dora'`,
  );
  const holder = new pg.Client({ connectionString: db.url });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM ledger_balance WHERE "accountId" = $1 FOR UPDATE`, [accountId]);
    const answer = post(purchase('dora', 900));
    // The lean statement read the member and now waits for their lock: a refund leaves a debt meanwhile.
    let waiting = 0;
    for (let tries = 0; waiting === 0 && tries < 250; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      [{ waiting }] = await db.dataSource.query(
        `SELECT COUNT(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%tessera_record_event_v%'`,
      );
    }
    expect(waiting).toBe(1);
    await holder.query(
      `INSERT INTO points_debt ("memberAccountId", "transferId", "refundId", owed, points) VALUES ($1, $2, gen_random_uuid(), 4, 4)`,
      [accountId, earn],
    );
    await holder.query('COMMIT');
    const body = await (await answer).json();
    expect(body).toMatchObject({ points: 9, recoveredPoints: 4 });
  } finally {
    await holder.end();
  }
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

/** Changes the settings and waits until the listener heard it: a change heard later would reload them inside a measured request. */
async function settingsHeard(change: Partial<ProgramSettings>) {
  const before = generationOf(db.dataSource);
  await db.dataSource.manager.update(ProgramSettings, { id: 1 }, change);
  for (let tries = 0; generationOf(db.dataSource) === before && tries < 250; tries++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  expect(generationOf(db.dataSource)).toBeGreaterThan(before);
}

it('pays a point a yen in a yen program, as the full path does: the rules count units of the program’s currency', async () => {
  await settingsHeard({ currency: 'JPY' });
  try {
    const yen = (externalId: string, amountCents: number) => ({ ...purchase(externalId, amountCents), currency: 'JPY' });
    expect(await (await post(yen('kenji', 120))).json()).toMatchObject({ points: 120, member: { enrolledNow: true } });
    let lean: Response | undefined;
    const statements = await statementsDuring(async () => {
      lean = await post(yen('kenji', 300));
    });
    expect(statements, statements.join('\n---\n')).toHaveLength(2);
    expect(await lean!.json()).toMatchObject({ points: 300, explanation: [{ reason: 'spent 300 at 1 per unit' }] });
  } finally {
    await settingsHeard({ currency: 'EUR' });
  }
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
