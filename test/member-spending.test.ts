import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { IsNull } from 'typeorm';
import type { BrowserContext, Cookie, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EarningRule,
  FulfilmentOrder,
  LedgerAccount,
  Member,
  MemberLink,
  MemberLinkRemoval,
  MemberMessage,
  OutboxEntry,
  Partner,
  PointLot,
  ProgramSettings,
  Redemption,
  Reward,
  SentEmail,
} from '../entities/index.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { describeOrders } from '../loyalty/fulfilment/fulfilment-queue.js';
import { placeOrder, settleRedemption } from '../loyalty/fulfilment/fulfilment.js';
import { HttpRewardSupplier } from '../loyalty/fulfilment/http-supplier.js';
import { recordShipmentReport } from '../loyalty/fulfilment/shipment-reports.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { portalRouter } from '../portal/portal-router.js';
import { createCodeMessenger } from '../reports/member-codes-messages.js';
import { createMemberMessenger } from '../reports/member-messenger.js';
import { createMemberMessageActivities } from '../workflows/activities/member-message-activities.js';
import { createMailer, createRecordingMailer } from '../reports/mailer.js';
import { createSmppSender, type SmsSender } from '../reports/sms-sender.js';
import { readInbox, startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/**
 * The member spends from the dashboard in a real browser on a phone-sized screen: rewards (a code
 * at once, or shipped to an address), gifts to another member, and the stores that know them.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let mail: RunningMailSink;
let sms: RunningSmsSink;
let smsSender: SmsSender;
let browser: BrowserContext;
const servers: Server[] = [];
let base: string;
let supplierUrl: string;
let koffie: string;
let bookBarn: string;
const ids: Record<'ann' | 'bo' | 'cleo', string> = { ann: '', bo: '', cleo: '' };
/** What the portal asked to start once its writes committed (the fulfilment, the hold's time limit). */
const dispatched: string[] = [];
/** The orders the supplier received, by Tessera's reference. */
const supplierOrders = new Map<string, Record<string, unknown>>();

// A small picture for the catalog: the test runs without the internet.
const picture = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"><rect width="120" height="80" fill="#0b5cad"/></svg>',
)}`;

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const earn = (partnerId: string, customerId: string, euros: number, email: string, emailVerified = true) =>
  inTransaction(db.dataSource, (manager) =>
    recordEvent(manager, p.ledger, {
      partnerId,
      member: { externalId: customerId, email, emailVerified },
      type: 'purchase',
      amountCents: euros * 100,
      currency: 'EUR',
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );

beforeAll(async () => {
  [db, mail, sms, browser] = await Promise.all([
    createTestDatabase(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
    launchBrowser(),
  ]);
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, {
    id: 1,
    expiryPolicy: { mode: 'period', months: 1 },
    transferMaxPoints: 200,
    transferMaxPointsPerDay: 300,
  });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Reward, [
    { code: 'cinema', name: 'Cinema ticket', description: 'One film, any day', pointsPrice: 100, category: 'Outings', imageUrl: picture },
    {
      code: 'mug',
      name: 'Tessera mug',
      description: 'Stoneware, 30 cl',
      pointsPrice: 150,
      category: 'Home',
      needsFulfilment: true,
      stock: 5,
    },
    { code: 'bike', name: 'City bike', pointsPrice: 5_000, category: 'Outings', needsFulfilment: true, stock: 2 },
    { code: 'scarf', name: 'Wool scarf', pointsPrice: 80, category: 'Home', needsFulfilment: true, stock: 1 },
  ]);
  koffie = (await p.partner(1_000_000)).partner.id;
  bookBarn = (await p.partner(1_000_000)).partner.id;
  await m.update(Partner, { id: koffie }, { name: 'Koffie Corner' });
  await m.update(Partner, { id: bookBarn }, { name: 'BookBarn' });
  ids.ann = (await earn(koffie, 'ann', 900, 'ann@example.test')).memberId;
  ids.bo = (await earn(koffie, 'bo', 10, 'bo@example.test')).memberId;
  ids.cleo = (await earn(koffie, 'cleo', 10, 'cleo@example.test')).memberId;
  await m.update(Member, { id: ids.ann }, { displayName: 'Ann de Vries' });
  await m.update(Member, { id: ids.bo }, { displayName: 'Bo Jansen' });
  await m.update(Member, { id: ids.cleo }, { phone: '+31612345678', phoneVerifiedAt: new Date() });
  // A customer whose address the store never checked: nobody proved it.
  await earn(koffie, 'dan', 10, 'dan@example.test', false);

  supplierUrl = await listen(
    express()
      .use(express.json())
      .post('/orders', (req, res) => {
        supplierOrders.set(req.body.reference, req.body);
        res.status(201).json({ orderId: `SUP-${supplierOrders.size}` });
      }),
  );
  smsSender = createSmppSender(sms.smsUrl, 'Tessera');
  const codes = {
    secret: 'test-code-secret',
    messenger: createCodeMessenger(createMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>'), smsSender),
  };
  base = await listen(
    createWebApp({
      health: {},
      api: { dataSource: db.dataSource, ledger: p.ledger, memberCodes: codes },
      portal: portalRouter({
        dataSource: db.dataSource,
        codes,
        publicUrl: 'http://127.0.0.1',
        signInRequestsPerWindow: 1_000,
        ledger: p.ledger,
        processes: { dispatch: async (outboxIds) => void dispatched.push(...outboxIds) },
      }),
    }),
  );
}, 180_000);
afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.close();
  smsSender?.close();
  await Promise.all([mail?.stop(), sms?.stop()]);
  await db?.drop();
});

/** What the worker does with the members' messages the outbox started: sends them now. */
async function deliverMemberMessages() {
  const messenger = createMemberMessenger({
    dataSource: db.dataSource,
    mailer: createRecordingMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>', db.dataSource),
    sms: smsSender,
    publicUrl: 'http://127.0.0.1',
  });
  const activities = createMemberMessageActivities({ dataSource: db.dataSource, messenger, publicUrl: 'http://127.0.0.1' });
  const waiting = await db.dataSource.manager.findBy(MemberMessage, { sentAt: IsNull(), notSentReason: IsNull() });
  for (const message of waiting) await activities.deliverMemberMessage(message.id);
}

async function latestMail(address: string) {
  const mails = (await readInbox(mail.directory)).filter((m) => m.to.includes(address));
  mails.sort((a, b) => b.date.getTime() - a.date.getTime());
  return mails[0]!;
}

/** The session cookie of each member once signed in: an address may be sent only five codes an hour. */
const sessions = new Map<string, Cookie>();

/** Signs in with the emailed code, on a phone-sized screen; a member signed in before comes back signed in. */
async function signIn(address: string): Promise<Page> {
  await browser.clearCookies();
  const kept = sessions.get(address);
  if (kept) await browser.addCookies([kept]);
  const page = await browser.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  if (kept) {
    await page.goto(`${base}/member`);
    return page;
  }
  await page.goto(`${base}/member/sign-in`);
  await page.getByLabel('Email or mobile number').fill(address);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.waitForURL(/\/member\/sign-in\/code/);
  await page.getByLabel('Code').fill(/\b(\d{6})\b/.exec((await latestMail(address)).subject)![1]!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/member`);
  sessions.set(
    address,
    (await browser.cookies()).find((c) => c.name === 'tessera_member')!,
  );
  return page;
}

const main = (page: Page) => page.locator('main').innerText();
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
const available = async (memberId: string) => (await memberSummary(db.dataSource.manager, memberId)).balance.available;

describe('rewards', () => {
  it('shows the catalog with pictures, prices and categories, filtered by category and by what the member can afford now', async () => {
    const page = await signIn('ann@example.test');
    await page.getByRole('link', { name: 'Rewards', exact: true }).click();
    await page.waitForURL(`${base}/member/rewards`);
    const names = () => page.locator('main .reward h2').allInnerTexts();
    expect(await names()).toEqual(['Wool scarf', 'Cinema ticket', 'Tessera mug', 'City bike']);
    expect(await main(page)).toContain(`You have ${(await available(ids.ann)).toLocaleString('en')} points`);
    expect(await page.locator('img[src^="data:image/svg"]').count()).toBe(1);
    await shot(page, 'member-rewards-catalog-phone');

    await page.getByLabel('Category').selectOption('Outings');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/category=Outings/);
    expect(await names()).toEqual(['Cinema ticket', 'City bike']);
    await page.getByLabel('Only what I can afford now').check();
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/affordable=1/);
    expect(await names()).toEqual(['Cinema ticket']);
    expect(await page.getByLabel('Category').inputValue()).toBe('Outings');
    await page.close();
  });

  it('redeems an instant reward after a confirmation: the code is shown and emailed, and the same form sent again redeems nothing more', async () => {
    const page = await signIn('ann@example.test');
    const before = await available(ids.ann);
    await page.goto(`${base}/member/rewards`);
    await page.getByRole('link', { name: 'Cinema ticket' }).click();
    await page.waitForURL(`${base}/member/rewards/cinema`);
    expect(await main(page)).toContain(`You have ${before} points; ${before - 100} will be left.`);
    await shot(page, 'member-reward-confirm-phone');
    const key = await page.locator('input[name="key"]').inputValue();
    await page.getByRole('button', { name: 'Redeem for 100 points' }).click();
    await page.waitForURL(/\/member\/my-rewards\/[0-9a-f-]{36}\?emailed=1$/);
    const code = await page.locator('.reward-code').innerText();
    expect(code).toMatch(/^CINEMA-[0-9A-F]{10}$/);
    expect(await main(page)).toContain('We are also emailing it to a•••@example.test');
    await shot(page, 'member-reward-code-phone');

    // The copy by email went through the outbox with the redemption: the worker sends it.
    await deliverMemberMessages();
    const email = await latestMail('ann@example.test');
    expect(email.subject).toBe('Your Cinema ticket: your code');
    expect(email.text).toContain(code);
    expect(await db.dataSource.manager.countBy(SentEmail, { to: 'ann@example.test', subject: 'Your Cinema ticket: your code' })).toBe(1);

    // The form sent again (a double tap, a reload): the same redemption, no second email.
    const again = await page.request.post(`${base}/member/rewards/cinema`, { form: { key }, headers: { origin: base }, maxRedirects: 0 });
    expect([again.status(), again.headers().location]).toEqual([303, `${new URL(page.url()).pathname}${new URL(page.url()).search}`]);
    expect(await available(ids.ann)).toBe(before - 100);
    expect(await db.dataSource.manager.countBy(Redemption, { memberId: ids.ann })).toBe(1);
    await deliverMemberMessages();
    expect(await db.dataSource.manager.countBy(SentEmail, { to: 'ann@example.test', subject: 'Your Cinema ticket: your code' })).toBe(1);

    await page.getByRole('link', { name: 'My rewards' }).first().click();
    await page.waitForURL(`${base}/member/my-rewards`);
    expect(await main(page)).toContain(code);
    await page.close();
  });

  it('ships a reward to the address the member gives: faults are named under their fields, the address reaches the supplier and the queue, and My rewards follows the status', async () => {
    const page = await signIn('ann@example.test');
    const before = await available(ids.ann);
    await page.goto(`${base}/member/rewards/mug`);
    await page.getByLabel('Name').fill('');
    await page.getByLabel('Street and house number').fill('Damrak 1');
    await page.getByLabel('Postal code').fill('10124');
    await page.getByLabel('City').fill('Amsterdam');
    await page.getByLabel('Country').selectOption('NL');
    await page.getByRole('button', { name: 'Redeem for 150 points' }).click();
    await expect.poll(() => page.locator('#name-error').innerText()).toBe('Enter the name of the person who receives the parcel');
    expect(await page.locator('#postalCode-error').innerText()).toBe('Enter a Dutch postal code: 4 digits and 2 letters, like 1012 AB');
    expect(await page.getByLabel('Postal code').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('City').inputValue()).toBe('Amsterdam');
    await shot(page, 'member-reward-address-errors-phone');
    expect(await available(ids.ann)).toBe(before);

    await page.getByLabel('Name').fill('Ann de Vries');
    await page.getByLabel('Postal code').fill('1012 lg');
    await page.getByRole('button', { name: 'Redeem for 150 points' }).click();
    await page.waitForURL(/\/member\/my-rewards\/[0-9a-f-]{36}$/);
    const redemptionId = page.url().split('/').at(-1)!;
    expect(await main(page)).toContain('Awaiting fulfilment');
    expect(await main(page)).toContain('Ann de Vries, Damrak 1, 1012 LG Amsterdam, Netherlands');
    expect((await memberSummary(db.dataSource.manager, ids.ann)).balance).toMatchObject({ available: before - 150, held: 150 });
    // Its fulfilment was queued with it and started once it committed.
    const queued = await db.dataSource.manager.findOneByOrFail(OutboxEntry, { process: 'reward_fulfilment', subjectId: redemptionId });
    expect(dispatched).toContain(queued.id);

    // The fulfilment orders it: the supplier receives the address, and staff picking orders read it.
    expect(await placeOrder(db.dataSource, new HttpRewardSupplier({ url: supplierUrl, secret: 'supplier-secret' }), redemptionId)).toEqual({
      outcome: 'ordered',
    });
    expect(supplierOrders.get(redemptionId)).toMatchObject({
      reward: { code: 'mug', name: 'Tessera mug' },
      recipient: {
        name: 'Ann de Vries',
        email: 'ann@example.test',
        address: { street: 'Damrak 1', postalCode: '1012 LG', city: 'Amsterdam', country: 'NL' },
      },
    });
    const order = await db.dataSource.manager.findOneByOrFail(FulfilmentOrder, { redemptionId });
    expect((await describeOrders(db.dataSource.manager, [order.id])).get(order.id)).toMatchObject({
      shipTo: 'Ann de Vries, Damrak 1, 1012 LG Amsterdam, Netherlands',
    });
    await page.goto(`${base}/member/my-rewards`);
    expect(await main(page)).toContain('Ordered');

    await recordShipmentReport(db.dataSource, p.ledger, {
      redemptionId,
      reportedBy: 'the http supplier',
      outcome: 'shipped',
      carrier: 'PostNL',
      trackingNumber: '3SABCD0123456',
    });
    await settleRedemption(db.dataSource, p.ledger, redemptionId, 'not shipped');
    await page.reload();
    expect(await main(page)).toContain('Shipped with PostNL, tracking number 3SABCD0123456');

    // Another one, cancelled: the points come back, and the list says why.
    await page.goto(`${base}/member/rewards/mug`);
    for (const [label, value] of [
      ['Name', 'Ann de Vries'],
      ['Street and house number', 'Damrak 1'],
      ['Postal code', '1012 LG'],
      ['City', 'Amsterdam'],
    ]) {
      await page.getByLabel(label!).fill(value!);
    }
    await page.getByLabel('Country').selectOption('NL');
    await page.getByRole('button', { name: 'Redeem for 150 points' }).click();
    await page.waitForURL(/\/member\/my-rewards\/[0-9a-f-]{36}$/);
    await settleRedemption(db.dataSource, p.ledger, page.url().split('/').at(-1)!, 'the member changed their mind');
    await page.goto(`${base}/member/my-rewards`);
    expect(await main(page)).toContain('Cancelled: the member changed their mind. The points are back.');
    await shot(page, 'member-my-rewards-phone');
    expect(await available(ids.ann)).toBe(before - 150);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
    await page.close();
  });

  it('refuses in words, under the form, a reward the member cannot afford or that is out of stock', async () => {
    const page = await signIn('ann@example.test');
    const balance = await available(ids.ann);
    await page.goto(`${base}/member/rewards/bike`);
    expect(await main(page)).toContain(`You need ${(5_000 - balance).toLocaleString('en')} more points.`);
    await fillAddress(page);
    await page.getByRole('button', { name: 'Redeem for 5,000 points' }).click();
    await expect
      .poll(() => page.locator('#redeem-error').innerText())
      .toBe(`This costs 5,000 points; you have ${balance.toLocaleString('en')} available.`);

    await page.goto(`${base}/member/rewards/scarf`);
    await fillAddress(page);
    // Someone took the last one while the member was typing.
    await db.dataSource.manager.update(Reward, { code: 'scarf' }, { stock: 0 });
    await page.getByRole('button', { name: 'Redeem for 80 points' }).click();
    await expect.poll(() => page.locator('#redeem-error').innerText()).toBe('Sorry, this reward is out of stock.');
    await shot(page, 'member-reward-refused-phone');
    expect(await available(ids.ann)).toBe(balance);
    await page.close();
  });
});

async function fillAddress(page: Page) {
  await page.getByLabel('Name').fill('Ann de Vries');
  await page.getByLabel('Street and house number').fill('Damrak 1');
  await page.getByLabel('Postal code').fill('1012 LG');
  await page.getByLabel('City').fill('Amsterdam');
  await page.getByLabel('Country').selectOption('NL');
}

describe('gifts', () => {
  it('gives points to another member by their email after a confirmation naming them, within the limits, and both histories show it', async () => {
    const page = await signIn('ann@example.test');
    const [annBefore, boBefore] = [await available(ids.ann), await available(ids.bo)];
    await page.getByRole('link', { name: 'Give points' }).click();
    await page.waitForURL(`${base}/member/gift`);
    expect(await main(page)).toContain('up to 200 points per gift and 300 a day');

    for (const nobody of ['nobody@example.test', 'dan@example.test']) {
      await page.getByLabel('Email or mobile number of the member').fill(nobody);
      await page.getByLabel('Points').fill('50');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect.poll(() => page.locator('#to-error').innerText()).toBe('No member can receive points at this address.');
    }

    await page.getByLabel('Email or mobile number of the member').fill('bo@example.test');
    await page.getByLabel('Points').fill('250');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Give 250 points to Bo Jansen?');
    await page.getByRole('button', { name: 'Give 250 points' }).click();
    await expect.poll(() => page.locator('#points-error').innerText()).toBe('At most 200 points per transfer.');

    await page.getByLabel('Points').fill('50');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Give 50 points to Bo Jansen?');
    await shot(page, 'member-gift-confirm-phone');
    await page.getByRole('button', { name: 'Give 50 points' }).click();
    await page.waitForURL(/\/member\/gift\/sent\//);
    expect(await main(page)).toContain('You gave 50 points to Bo Jansen.');
    expect([await available(ids.ann), await available(ids.bo)]).toEqual([annBefore - 50, boBefore + 50]);
    await page.goto(`${base}/member/history`);
    expect(await main(page)).toMatch(/Gift to Bo Jansen\s+-50/);
    await page.close();

    const bo = await signIn('bo@example.test');
    await bo.goto(`${base}/member/history`);
    expect(await main(bo)).toMatch(/Gift from Ann de Vries\s+\+50/);
    await bo.close();
  });

  it('names a recipient without a display name by their masked address, and gives once when the confirmation is sent twice', async () => {
    const page = await signIn('ann@example.test');
    const before = await available(ids.cleo);
    await page.goto(`${base}/member/gift`);
    await page.getByLabel('Email or mobile number of the member').fill('+31 6 12 34 56 78');
    await page.getByLabel('Points').fill('20');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Give 20 points to +31•••78?');
    const form = Object.fromEntries(
      await Promise.all(
        ['to', 'points', 'key'].map(async (name) => [name, await page.locator(`input[type="hidden"][name="${name}"]`).inputValue()]),
      ),
    );
    await page.getByRole('button', { name: 'Give 20 points' }).click();
    await page.waitForURL(/\/member\/gift\/sent\//);
    const again = await page.request.post(`${base}/member/gift/confirm`, { form, headers: { origin: base }, maxRedirects: 0 });
    expect([again.status(), again.headers().location]).toEqual([303, `${new URL(page.url()).pathname}${new URL(page.url()).search}`]);
    expect(await available(ids.cleo)).toBe(before + 20);
    await page.close();
  });

  it('lets one member look up only so many recipients an hour, so that nobody probes who is a member', async () => {
    const page = await signIn('cleo@example.test');
    const cookie = sessions.get('cleo@example.test')!;
    const lookUp = (n: number) =>
      fetch(`${base}/member/gift`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie: `${cookie.name}=${cookie.value}` },
        body: new URLSearchParams({ to: `probe-${n}@example.test`, points: '1' }),
      });
    const statuses = [];
    for (let n = 0; n < 31; n++) statuses.push((await lookUp(n)).status);
    expect(statuses.slice(0, 30).every((s) => s === 422)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect(await (await lookUp(31)).text()).toContain('You looked up many addresses in the last hour');
    await page.close();
  });
});

describe('linked stores', () => {
  it("links a store's provisional customer, and the points arrive with their expiry; then unlinks a store", async () => {
    // BookBarn knows Ann by her email, which it never checked; and someone else by theirs.
    const provisional = await earn(bookBarn, 'bb-77', 40, 'ann@example.test', false);
    await earn(bookBarn, 'bb-eve', 70, 'eve@example.test', false);
    const account = await db.dataSource.manager.findOneByOrFail(LedgerAccount, { memberId: provisional.memberId });
    const expiresAt = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 1, 14, 12));
    await db.dataSource.manager.update(PointLot, { memberAccountId: account.id }, { expiresAt });
    const before = await available(ids.ann);

    const page = await signIn('ann@example.test');
    await page.getByRole('link', { name: 'Stores', exact: true }).click();
    await page.waitForURL(`${base}/member/stores`);
    const text = await main(page);
    expect(text).toContain('Koffie Corner');
    expect(text).toContain('BookBarn has a customer with your email address: 40 points, the first expiring on');
    expect(text).not.toContain('70 points');
    expect(text).not.toContain('eve@');
    await shot(page, 'member-stores-phone');

    await page.getByRole('button', { name: 'Link BookBarn', exact: true }).click();
    await page.waitForURL(/\/member\/stores\?linked=/);
    expect(await page.getByRole('status').innerText()).toBe('BookBarn is linked: its points are in your balance now.');
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL(`${base}/member`);
    expect(await main(page)).toContain(`Available\n${before + 40}`);
    expect(await main(page)).toMatch(new RegExp(`${expiresAt.toISOString().slice(0, 10)}\\s+40`));
    expect((await resolveCustomer(db.dataSource.manager, { partnerId: bookBarn, customerId: 'bb-77' })).member.id).toBe(ids.ann);

    await page.goto(`${base}/member/stores`);
    await page.getByRole('link', { name: 'Unlink BookBarn' }).click();
    expect(await main(page)).toContain('BookBarn will no longer reach your account');
    await page.getByRole('button', { name: 'Unlink BookBarn' }).click();
    await page.waitForURL(/\/member\/stores\?unlinked=/);
    expect(await page.getByRole('status').innerText()).toBe('BookBarn is unlinked.');
    expect(await page.locator('#linked').innerText()).not.toContain('BookBarn');
    await expect(resolveCustomer(db.dataSource.manager, { partnerId: bookBarn, customerId: 'bb-77' })).rejects.toThrow('no member "bb-77"');
    expect(await db.dataSource.manager.countBy(MemberLink, { memberId: ids.ann, partnerId: bookBarn })).toBe(0);
    expect(await db.dataSource.manager.countBy(MemberLinkRemoval, { memberId: ids.ann, partnerId: bookBarn })).toBe(1);
    expect(await available(ids.ann)).toBe(before + 40);
    await page.close();
  });
});
