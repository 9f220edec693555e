import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, OutboxEntry, Payment, ProgramSettings } from '../entities/index.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { mintWidgetToken } from '../loyalty/widget-tokens.js';
import { createCodeMessenger } from '../reports/member-codes-messages.js';
import { createMailer } from '../reports/mailer.js';
import type { SmsSender } from '../reports/sms-sender.js';
import { readInbox, startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** A member pays part of an order on the demo store with points chosen in the widget; the store captures them with the order. */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let browser: BrowserContext;
let server: Server;
let base: string;
let mail: RunningMailSink;
let shopCode: string;
let shopId: string;
/** What the store's server asked to start once its writes committed: the authorization's time limit. */
const dispatched: string[] = [];
const unusedSms: SmsSender = {
  send: () => Promise.reject(new Error('no SMS in this test')),
  verify: () => Promise.resolve(),
  close: () => undefined,
};

beforeAll(async () => {
  [db, browser, mail] = await Promise.all([
    createTestDatabase(),
    launchBrowser({ locale: 'en-IE', timezoneId: 'Europe/Dublin' }),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
  ]);
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, {
    id: 1,
    currency: 'EUR',
    pointValueMinor: 1,
    paymentMinPoints: 100,
    paymentMaxSharePercent: 50,
  });
  await db.dataSource.manager.insert(EarningRule, {
    name: '10 points per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 10, rounding: 'down' },
  });
  const shop = await p.partner(100_000);
  shopCode = shop.partner.code;
  shopId = shop.partner.id;
  // Ann earned 1,200 points at the shop, which knows her by her proved email.
  await db.dataSource.transaction((manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: shop.partner.id,
      member: { externalId: 'shop-ann', email: 'ann.pays@example.test', emailVerified: true },
      type: 'purchase',
      amountCents: 12_000,
      currency: 'EUR',
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );
  const memberCodes = {
    secret: 'test-code-secret',
    messenger: createCodeMessenger(createMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>'), unusedSms),
  };
  server = createWebApp({
    health: {},
    api: {
      dataSource: db.dataSource,
      ledger: p.ledger,
      memberCodes,
      processes: { dispatch: async (ids) => void dispatched.push(...ids) },
    },
    demoStore: true,
  }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  server?.close();
  await mail?.stop();
  await db?.drop();
});

it('lets a signed-in member use points on part of an order in the widget, and the store captures them when the order is placed', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 760, height: 900 });
  await page.goto(`${base}/demo-store?partner=${shopCode}&member=shop-ann`);
  const widget = page.locator('tessera-earn');
  await expect.poll(() => widget.locator('.text').innerText(), { timeout: 10_000 }).toContain('You have 1,200 points');
  await page.getByRole('button', { name: 'Sign in to see all your Tessera points' }).click();
  await page.getByLabel('Email or mobile number').fill('ann.pays@example.test');
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await expect.poll(() => widget.locator('.box').innerText()).toContain('a 6-digit code is on its way');
  const [received] = (await readInbox(mail.directory)).filter((m) => m.to.includes('ann.pays@example.test'));
  await page.getByLabel('Code').fill(/(\d{6})$/.exec(received!.subject)![1]!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => widget.locator('.text').innerText(), { timeout: 10_000 }).toContain('You have 1,200 Tessera points');

  // Four flat whites, €18.00: points may pay half, 900 points.
  for (let i = 0; i < 4; i++) await page.click('#add');
  const points = page.getByLabel('Points to use on this order');
  await expect.poll(() => points.inputValue(), { timeout: 10_000 }).toBe('900');
  expect(await widget.locator('.pay').innerText()).toContain('From 100 to 900 points on this order');
  await points.fill('500');
  await expect.poll(() => widget.locator('.value').innerText()).toBe('€5.00');
  await page.getByRole('button', { name: 'Use my points' }).click();

  await expect.poll(() => page.locator('#points-paid').innerText(), { timeout: 10_000 }).toBe('−€5.00 (500 points)');
  expect(await page.locator('#due').innerText()).toBe('€13.00');
  expect(await page.locator('#message').innerText()).toContain('500 points are held for this order');
  await expect.poll(() => widget.locator('.text').innerText(), { timeout: 10_000 }).toContain('You have 700 Tessera points');
  // The widget says the points pay for the order, and offers no more.
  await expect.poll(() => widget.locator('.pay').innerText()).toBe('500 points pay for part of this order.');
  expect(await points.count()).toBe(0);
  await page.screenshot({ path: join(artifactsDir, 'checkout-with-points-held.png'), fullPage: true });
  const { member } = await resolveCustomer(db.dataSource.manager, { partnerId: shopId, customerId: 'shop-ann' });
  const held = await db.dataSource.manager.findOneByOrFail(Payment, { memberId: member.id });
  expect(held).toMatchObject({ status: 'authorized', pointsAuthorized: 500, basketAmountMinor: 1_800 });
  // Its time limit was handed to the processes once the authorization committed.
  const timeout = await db.dataSource.manager.findOneByOrFail(OutboxEntry, { process: 'hold_timeout', subjectId: held.holdTransferId });
  expect(dispatched).toContain(timeout.id);

  await page.getByRole('button', { name: 'Place order' }).click();
  await expect
    .poll(() => page.locator('#message').innerText(), { timeout: 10_000 })
    .toBe('Order placed: €13.00 by card and €5.00 with 500 points.');
  // The cart is empty again: the widget offers nothing to pay, and shows the points left.
  await expect
    .poll(() => widget.locator('.text').innerText(), { timeout: 10_000 })
    .toBe('You have 700 Tessera points · This cart earns 0 points');
  expect(await widget.locator('.pay').count()).toBe(0);
  await page.screenshot({ path: join(artifactsDir, 'checkout-with-points-placed.png'), fullPage: true });
  expect(await db.dataSource.manager.findOneByOrFail(Payment, { id: held.id })).toMatchObject({ status: 'captured', pointsCaptured: 500 });
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  await page.close();
});

it('refuses points from another session than the member of the order, and saves nothing', async () => {
  const before = await db.dataSource.manager.count(Payment);
  const answer = await fetch(`${base}/demo-store/checkout/points`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      partner: shopCode,
      member: 'shop-ann',
      amountMinor: 1_000,
      points: 100,
      authorization: `Bearer ${'x'.repeat(40)}`,
    }),
  });
  expect(answer.status).toBe(403);
  expect((await answer.json()).errors[0].field).toBe('body.authorization');
  expect(await db.dataSource.manager.count(Payment)).toBe(before);
});

it("answers the widget's quote only with a member session of this store's widget", async () => {
  const { token } = await mintWidgetToken(db.dataSource.manager, { partnerId: shopId, externalId: 'shop-ann' });
  const quote = (headers: Record<string, string>) =>
    fetch(`${base}/widget/v1/payment-quote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ token, amountMinor: 1_000, currency: 'EUR' }),
    });
  const unsigned = await quote({});
  expect(unsigned.status).toBe(401);
  expect((await unsigned.json()).errors[0].field).toBe('header.Member-Authorization');
  // A dashboard session is the member's, but not this widget's.
  const { member } = await resolveCustomer(db.dataSource.manager, { partnerId: shopId, customerId: 'shop-ann' });
  const dashboard = await openMemberSession(db.dataSource.manager, { memberId: member.id, partnerId: null });
  expect((await quote({ 'member-authorization': `Bearer ${dashboard.token}` })).status).toBe(401);
  const widgetSession = await openMemberSession(db.dataSource.manager, { memberId: member.id, partnerId: shopId });
  const answered = await quote({ 'member-authorization': `Bearer ${widgetSession.token}` });
  expect(await answered.json()).toMatchObject({ maxPoints: 500, minPoints: 100, member: { available: 700, usablePoints: 500 } });
});
