import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../loyalty/api-keys.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { exportMemberData } from '../loyalty/member-data-export.js';
import { eraseMember } from '../loyalty/member-erasure.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { createRecordingMailer, type Mailer } from '../reports/mailer.js';
import { createCodeMessenger } from '../reports/member-codes-messages.js';
import { memberHistoryCsv } from '../reports/member-data-csv.js';
import { createRecordingSmsSender, type SmsSender } from '../reports/sms-sender.js';
import { startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { listen } from './support/http.js';
import { activityProgram, personWithActivity, type Person } from './support/member-activity.js';
import { memberConsentHeaders } from './support/member-consent.js';
import { createProgram } from './support/program.js';

/**
 * A member's right to their data and to be forgotten, on a real PostgreSQL, with messages sent
 * through real SMTP and SMPP sinks and the partner API's own records: after an erasure nothing in
 * any column of any table names them, and the ledger still balances.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let stores: Awaited<ReturnType<typeof activityProgram>>;
let mail: RunningMailSink;
let sms: RunningSmsSink;
let mailer: Mailer;
let smsSender: SmsSender;
let served: { url: string; close: () => Promise<void> };
let keys: { shop: string; cafe: string };
let ann: Person;
let bob: Person;

beforeAll(async () => {
  [db, mail, sms] = await Promise.all([
    createTestDatabase(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
  ]);
  p = await createProgram(db.dataSource);
  stores = await activityProgram(db.dataSource, p);
  mailer = createRecordingMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>', db.dataSource);
  smsSender = createRecordingSmsSender(sms.smsUrl, 'Tessera', db.dataSource);
  const messenger = createCodeMessenger(mailer, smsSender);
  served = await listen(
    createWebApp({
      health: {},
      api: { dataSource: db.dataSource, ledger: p.ledger, memberCodes: { secret: 'test-code-secret', messenger } },
    }),
  );
  keys = {
    shop: (await issueApiKey(db.dataSource.manager, stores.shop.id, 'test')).secret,
    cafe: (await issueApiKey(db.dataSource.manager, stores.cafe.id, 'test')).secret,
  };
  ann = await personWithActivity(db.dataSource, p, stores, 'Ann Archer');
  bob = await personWithActivity(db.dataSource, p, stores, 'Bob Baker');
  // Through the partner API too: its stored answers name the customer, and codes go out by mail and SMS.
  const [annAtShop, annAtCafe, bobAtShop] = [
    ann.customerIds[0]!.customerId,
    ann.customerIds[1]!.customerId,
    bob.customerIds[0]!.customerId,
  ];
  expect(
    (await call(keys.shop, 'POST', '/events', { member: { externalId: annAtShop }, type: 'purchase', amountCents: 2_000, currency: 'EUR' }))
      .status,
  ).toBe(201);
  expect((await call(keys.cafe, 'POST', '/events', { member: { externalId: annAtCafe }, type: 'review' })).status).toBe(201);
  expect((await call(keys.shop, 'POST', `/members/${annAtShop}/spending-codes`, { channel: 'email' })).status).toBe(201);
  expect((await call(keys.shop, 'POST', `/members/${annAtShop}/spending-codes`, { channel: 'sms' })).status).toBe(201);
  expect((await call(keys.shop, 'POST', `/members/${annAtShop}/transfers`, { to: bobAtShop, points: 5 })).status).toBe(201);
  expect((await call(keys.shop, 'POST', `/members/${bobAtShop}/transfers`, { to: annAtShop, points: 3 })).status).toBe(201);
}, 120_000);
afterAll(async () => {
  await served?.close();
  mailer?.close();
  smsSender?.close();
  await Promise.all([mail?.stop(), sms?.stop()]);
  await db?.drop();
});

async function call(key: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${served.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
      ...(await memberConsentHeaders(db.dataSource, key, path)),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const namesOf = (person: Person) => [
  ...new Set([
    person.email,
    person.phone,
    person.name,
    person.reference,
    ...(person.formerReference ? [person.formerReference] : []),
    ...person.customerIds.map((c) => c.customerId),
  ]),
];

/** Every text, JSON and array column of every table, searched for each string (in any case): where each is found. */
async function whereFound(strings: string[]): Promise<string[]> {
  const columns: { table: string; column: string }[] = await db.dataSource.query(
    `SELECT table_name AS table, column_name AS column FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')`,
  );
  expect(columns.length).toBeGreaterThan(50);
  const found: string[] = [];
  for (const { table, column } of columns) {
    for (const text of strings) {
      const [row] = await db.dataSource.query(
        `SELECT COUNT(*)::int AS n FROM "${table}" WHERE strpos(lower("${column}"::text), lower($1)) > 0`,
        [text],
      );
      if (row.n > 0) found.push(`${table}.${column} holds "${text}" (${row.n} rows)`);
    }
  }
  return found;
}

/** Every row of every table, as one fingerprint per table. */
async function wholeDatabase(): Promise<Record<string, string>> {
  const tables: { table: string }[] = await db.dataSource.query(
    `SELECT table_name AS table FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const fingerprints: Record<string, string> = {};
  for (const { table } of tables) {
    const [row] = await db.dataSource.query(`SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM "${table}" t`);
    fingerprints[table] = row.h;
  }
  return fingerprints;
}

describe("a member's data", () => {
  it('exports as JSON everything held about the member, and the history as CSV', async () => {
    const data = await exportMemberData(db.dataSource.manager, ann.memberId);
    expect(data.events).toHaveLength(5);
    expect(data.emails.map((e) => e.subject)).toContainEqual(
      expect.stringMatching(new RegExp(`^Your code to spend points at ${stores.shop.name}: \\d{6}$`)),
    );
    expect(data.textMessages.map((t) => t.text)).toContainEqual(expect.stringMatching(/^\d{6} is your code to spend points at/));
    expect(data.codes.map((c) => [c.purpose, c.channel, c.store])).toEqual(
      expect.arrayContaining([
        ['spend', 'email', stores.shop.name],
        ['spend', 'sms', stores.shop.name],
      ]),
    );
    expect(
      data.history
        .filter((e) => e.kind === 'transfer')
        .map((e) => e.points)
        .sort(),
    ).toEqual([-5, 3]);
    const csv = memberHistoryCsv(data.history);
    expect(csv.split('\r\n')).toHaveLength(data.history.length + 2);
    expect(csv).toContain(stores.cafe.name);
    const text = JSON.stringify(data);
    for (const other of namesOf(bob)) expect(text).not.toContain(other);
  });
});

describe('erasure', () => {
  it('leaves no trace of the member in any column of any table, forfeits their points to breakage by funder, and keeps the ledger whole', async () => {
    expect(await whereFound(namesOf(ann))).not.toEqual([]);
    const funders: { funder: string | null; points: string }[] = await db.dataSource.query(
      `SELECT l."fundingPartnerId" AS funder, SUM(l.remaining) AS points FROM point_lot l JOIN ledger_account a ON a.id = l."memberAccountId"
        WHERE a."memberId" = $1 AND l.remaining > 0 GROUP BY 1`,
      [ann.memberId],
    );
    const bobBefore = await exportMemberData(db.dataSource.manager, bob.memberId);

    const { erasure } = await inTransaction(db.dataSource, (manager) =>
      eraseMember(manager, p.ledger, { memberId: ann.memberId, requestedBy: 'member', reason: 'asked from their dashboard' }),
    );

    expect(await whereFound(namesOf(ann))).toEqual([]);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
    const breakage: { funder: string | null; points: string }[] = await db.dataSource.query(
      `SELECT l."fundingPartnerId" AS funder, SUM(c.points) AS points
         FROM ledger_transfer t JOIN lot_consumption c ON c."transferId" = t.id JOIN point_lot l ON l.id = c."lotId"
         JOIN ledger_account b ON b.id = t."creditAccountId"
        WHERE t."references"->>'erasure' = $1 AND b.code = 'program:breakage' GROUP BY 1`,
      [erasure.id],
    );
    const byFunder = (rows: { funder: string | null; points: string }[]) =>
      Object.fromEntries(rows.map((r) => [r.funder ?? 'program', Number(r.points)]));
    expect(byFunder(breakage)).toEqual(byFunder(funders));
    expect(erasure.pointsForfeited).toBe(funders.reduce((sum, r) => sum + Number(r.points), 0));
    // Bob keeps his names everywhere, and every point; the gift Ann made him is still his.
    expect(await exportMemberData(db.dataSource.manager, bob.memberId)).toEqual({ ...bobBefore, exportedAt: expect.any(Date) });
    expect((await whereFound(namesOf(bob))).length).toBeGreaterThan(0);
  });

  it('changes nothing the second time', async () => {
    const before = await wholeDatabase();
    const again = await inTransaction(db.dataSource, (manager) =>
      eraseMember(manager, p.ledger, { memberId: ann.memberId, requestedBy: 'member', reason: 'asked again' }),
    );
    expect(again.alreadyErased).toBe(true);
    expect(await wholeDatabase()).toEqual(before);
  });

  it('refuses a member whose points are held for a reward being shipped, writing nothing', async () => {
    await inTransaction(db.dataSource, (manager) =>
      redeemReward(manager, p.ledger, {
        memberId: bob.memberId,
        rewardCode: 'mug',
        quantity: 1,
        partnerId: stores.shop.id,
        key: randomUUID(),
      }),
    );
    const before = await wholeDatabase();
    await expect(
      inTransaction(db.dataSource, (manager) =>
        eraseMember(manager, p.ledger, { memberId: bob.memberId, requestedBy: 'member', reason: 'x' }),
      ),
    ).rejects.toMatchObject({ code: 'erasure_refused', reason: expect.stringContaining('20 points are held') });
    expect(await wholeDatabase()).toEqual(before);
  });
});
