import { randomUUID } from 'node:crypto';
import { latestCodeSent } from './support/sent-codes.js';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarningRule, Member, MemberMerge, PointLot, ProgramSettings, Reward } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { currentMember, resolveCustomer } from '../loyalty/member-identity.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { createCodeMessenger } from '../reports/member-codes-messages.js';
import { createMailer } from '../reports/mailer.js';
import { createSmppSender, type SmsSender } from '../reports/sms-sender.js';
import { startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/**
 * Members as people of the coalition, through the partner API: each store addresses them by its own
 * ids, a store links its customer to a member only by an address it verified, and spending needs
 * the member — a code they received (by a real SMTP and SMPP sink here) or their session.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let mail: RunningMailSink;
let sms: RunningSmsSink;
let smsSender: SmsSender;
let server: Server;
let base: string;
let shop: { id: string; code: string; key: string };
let cafe: { id: string; code: string; key: string };

async function partnerWithKey() {
  const { partner } = await p.partner(1_000_000);
  const { secret } = await issueApiKey(db.dataSource.manager, partner.id, 'test');
  return { id: partner.id, code: partner.code, key: secret };
}

beforeAll(async () => {
  [db, mail, sms] = await Promise.all([
    createTestDatabase(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
  ]);
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Reward, { code: 'coffee', name: 'Coffee voucher', pointsPrice: 10 });
  smsSender = createSmppSender(sms.smsUrl, 'Tessera');
  const messenger = createCodeMessenger(createMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>'), smsSender);
  const app = createWebApp({
    health: {},
    api: { dataSource: db.dataSource, ledger: p.ledger, memberCodes: { secret: 'test-code-secret', messenger } },
  });
  server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  shop = await partnerWithKey();
  cafe = await partnerWithKey();
}, 120_000);
afterAll(async () => {
  server?.close();
  smsSender?.close();
  await Promise.all([mail?.stop(), sms?.stop()]);
  await db?.drop();
});

async function call(store: { key: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${store.key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, text };
}

const earn = (store: { key: string }, member: object, amountCents = 1_000) =>
  call(store, 'POST', '/events', { member, type: 'purchase', amountCents, currency: 'EUR' });
const balance = async (store: { key: string }, customerId: string) =>
  (await call(store, 'GET', `/members/${customerId}`)).json.balance.available as number;
const redeem = (store: { key: string }, customerId: string, authorization?: string) =>
  call(
    store,
    'POST',
    `/members/${customerId}/redemptions`,
    { reward: 'coffee' },
    authorization ? { 'member-authorization': authorization } : {},
  );

const codeSentTo = (address: string) => latestCodeSent({ mail: mail.directory, sms: sms.directory }, address);

describe('coalition identity', () => {
  it("keeps two stores' cust-42 two people, each store seeing only its own", async () => {
    expect((await earn(shop, { externalId: 'cust-42' }, 1_000)).status).toBe(201);
    expect((await earn(cafe, { externalId: 'cust-42' }, 3_000)).status).toBe(201);
    expect(await balance(shop, 'cust-42')).toBe(10);
    expect(await balance(cafe, 'cust-42')).toBe(30);
    const people = await db.dataSource.manager.find(Member, { where: [{ externalId: 'cust-42' }, { externalId: `cust-42@${cafe.code}` }] });
    expect(people.map((m) => m.provisionalPartnerId).sort()).toEqual([shop.id, cafe.id].sort());
  });

  it('links a store’s customer to the member who proved the same email, merging their points with funder and expiry intact', async () => {
    await earn(shop, { externalId: 'ann-1', email: 'Ann@Example.test', emailVerified: true }, 10_000);
    await earn(cafe, { externalId: 'c-ann' }, 4_000);
    const provisional = await resolveCustomer(db.dataSource.manager, { partnerId: cafe.id, customerId: 'c-ann' });
    const cafeLot = await db.dataSource.manager.findOneByOrFail(PointLot, { memberAccountId: provisional.account.id });

    // The cafe checks the customer's email and says so: the same person.
    expect((await earn(cafe, { externalId: 'c-ann', email: 'ann@example.test', emailVerified: true }, 500)).status).toBe(201);
    const ann = await resolveCustomer(db.dataSource.manager, { partnerId: shop.id, customerId: 'ann-1' });
    expect((await resolveCustomer(db.dataSource.manager, { partnerId: cafe.id, customerId: 'c-ann' })).member.id).toBe(ann.member.id);
    expect(await balance(shop, 'ann-1')).toBe(100 + 40 + 5);
    expect(await balance(cafe, 'c-ann')).toBe(145);
    const lots = await db.dataSource.manager.findBy(PointLot, { memberAccountId: ann.account.id });
    expect(lots.filter((l) => l.remaining > 0).map((l) => [l.fundingPartnerId, l.remaining, l.expiresAt?.toISOString()])).toEqual(
      expect.arrayContaining([[cafe.id, 40, cafeLot.expiresAt?.toISOString()]]),
    );
    expect((await currentMember(db.dataSource.manager, provisional.member.id))?.id).toBe(ann.member.id);
    expect(await db.dataSource.manager.findOneByOrFail(MemberMerge, { fromMemberId: provisional.member.id })).toMatchObject({
      intoMemberId: ann.member.id,
      points: 40,
      cause: 'verified_contact',
      requestedBy: `store ${cafe.code}`,
    });
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });

  it('enrols one member when two first events for a new customer, or two stores with one new verified email, arrive together', async () => {
    const twins = await Promise.all([earn(shop, { externalId: 'twin' }), earn(shop, { externalId: 'twin' })]);
    expect(twins.map((t) => t.status)).toEqual([201, 201]);
    const both = await Promise.all([
      earn(shop, { externalId: 'zed-s', email: 'zed@example.test', emailVerified: true }),
      earn(cafe, { externalId: 'zed-c', email: 'zed@example.test', emailVerified: true }),
    ]);
    expect(both.map((t) => t.status)).toEqual([201, 201]);
    const [s, c] = await Promise.all([
      resolveCustomer(db.dataSource.manager, { partnerId: shop.id, customerId: 'zed-s' }),
      resolveCustomer(db.dataSource.manager, { partnerId: cafe.id, customerId: 'zed-c' }),
    ]);
    expect(s.member.id).toBe(c.member.id);
    expect(await db.dataSource.manager.countBy(Member, { externalId: 'twin' })).toBe(1);
  });

  it('refuses an address that is no phone number, naming the field', async () => {
    const refused = await earn(shop, { externalId: 'bad-phone', phone: '12' });
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([
      { field: 'body.member.phone', message: 'must be a phone number in international form, such as +33612345678' },
    ]);
  });
});

describe('spending needs the member', () => {
  it("answers a debit without the member's say with a 403 that says how to get it, and writes nothing", async () => {
    await earn(shop, { externalId: 'bo-1', email: 'bo@example.test', emailVerified: true }, 5_000);
    const refused = await redeem(shop, 'bo-1');
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({
      code: 'member_authorization_required',
      errors: [{ field: 'header.Member-Authorization', message: expect.stringContaining('POST /members/{externalId}/spending-codes') }],
    });
    const transfer = await call(shop, 'POST', '/members/bo-1/transfers', { to: 'cust-42', points: 5 });
    expect(transfer.status).toBe(403);
    expect(await balance(shop, 'bo-1')).toBe(50);
    const malformed = await redeem(shop, 'bo-1', 'Code 12');
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0].field).toBe('header.Member-Authorization');
  });

  it("does not let store B spend a member's points without the member, even though B knows them", async () => {
    await earn(shop, { externalId: 'cy-1', email: 'cy@example.test', emailVerified: true }, 5_000);
    await earn(cafe, { externalId: 'cafe-cy', email: 'cy@example.test', emailVerified: true }, 100);
    expect((await redeem(cafe, 'cafe-cy')).status).toBe(403);
    // A session the member opened in the shop's widget spends at the shop only.
    const { member } = await resolveCustomer(db.dataSource.manager, { partnerId: shop.id, customerId: 'cy-1' });
    const widget = await openMemberSession(db.dataSource.manager, { memberId: member.id, partnerId: shop.id });
    expect((await redeem(cafe, 'cafe-cy', `Bearer ${widget.token}`)).status).toBe(403);
    expect((await redeem(shop, 'cy-1', `Bearer ${widget.token}`)).status).toBe(201);
    // Another member's session is not this member's say.
    const other = await resolveCustomer(db.dataSource.manager, { partnerId: shop.id, customerId: 'bo-1' });
    const stranger = await openMemberSession(db.dataSource.manager, { memberId: other.member.id, partnerId: null });
    expect((await redeem(cafe, 'cafe-cy', `Bearer ${stranger.token}`)).status).toBe(403);
    expect(await balance(cafe, 'cafe-cy')).toBe(51 - 10);
  });

  it('takes a code the member received once, at the store that asked for it, and tells where it went', async () => {
    await earn(shop, { externalId: 'di-1', email: 'di@example.test', emailVerified: true }, 5_000);
    await earn(cafe, { externalId: 'cafe-di', email: 'di@example.test', emailVerified: true }, 100);
    const asked = await call(cafe, 'POST', '/members/cafe-di/spending-codes', {});
    expect(asked.status).toBe(201);
    expect(asked.json).toMatchObject({ channel: 'email', sentTo: 'd•••@example.test' });
    const code = await codeSentTo('di@example.test');
    expect((await redeem(shop, 'di-1', `Code ${code}`)).status).toBe(403);
    expect((await redeem(cafe, 'cafe-di', `Code ${code}`)).status).toBe(201);
    const again = await redeem(cafe, 'cafe-di', `Code ${code}`);
    expect(again.status).toBe(403);
    expect(again.json.code).toBe('member_authorization_refused');
    expect(await balance(cafe, 'cafe-di')).toBe(51 - 10);
  });

  it('sends the code by SMS to a verified phone', async () => {
    await earn(shop, { externalId: 'ed-1', phone: '+33 6 12 34 56 78', phoneVerified: true }, 5_000);
    const asked = await call(shop, 'POST', '/members/ed-1/spending-codes', { channel: 'sms' });
    expect(asked.json).toMatchObject({ channel: 'sms', sentTo: '+33•••78' });
    expect((await redeem(shop, 'ed-1', `Code ${await codeSentTo('+33612345678')}`)).status).toBe(201);
  });

  it('refuses an expired code, and a code after five tries even when the sixth is right, wrong tries counting together', async () => {
    await earn(shop, { externalId: 'fa-1', email: 'fa@example.test', emailVerified: true }, 5_000);
    await call(shop, 'POST', '/members/fa-1/spending-codes', {});
    await db.dataSource.query(`UPDATE member_code SET "expiresAt" = now() - interval '1 second' WHERE address = 'fa@example.test'`);
    expect((await redeem(shop, 'fa-1', `Code ${await codeSentTo('fa@example.test')}`)).status).toBe(403);

    await call(shop, 'POST', '/members/fa-1/spending-codes', {});
    const right = await codeSentTo('fa@example.test');
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    const guesses = await Promise.all(Array.from({ length: 5 }, () => redeem(shop, 'fa-1', `Code ${wrong}`)));
    expect(guesses.map((g) => g.status)).toEqual([403, 403, 403, 403, 403]);
    expect((await redeem(shop, 'fa-1', `Code ${right}`)).status).toBe(403);
    expect(await balance(shop, 'fa-1')).toBe(50);
  });

  it('sends codes only to addresses the member proved, and a few an hour', async () => {
    await earn(shop, { externalId: 'gi-1', email: 'typed-by-the-store@example.test' }, 1_000);
    const unproved = await call(shop, 'POST', '/members/gi-1/spending-codes', {});
    expect(unproved.status).toBe(422);
    expect(unproved.json.code).toBe('member_unreachable');

    await earn(shop, { externalId: 'ha-1', email: 'ha@example.test', emailVerified: true }, 1_000);
    const asks = [];
    for (let i = 0; i < 6; i++) asks.push((await call(shop, 'POST', '/members/ha-1/spending-codes', {})).status);
    expect(asks).toEqual([201, 201, 201, 201, 201, 429]);
  });
});
