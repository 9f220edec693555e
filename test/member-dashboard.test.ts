import { mkdtempSync } from 'node:fs';
import { latestCodeSent } from './support/sent-codes.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreditProgram, EarningRule, Member, Partner, PointOfSale, ProgramSettings, Tier } from '../entities/index.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { transferBetweenMembers } from '../loyalty/member-transfers.js';
import { portalRouter } from '../portal/portal-router.js';
import { createCodeMessenger } from '../reports/member-codes-messages.js';
import { createMailer } from '../reports/mailer.js';
import { createSmppSender, type SmsSender } from '../reports/sms-sender.js';
import { startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** The member dashboard in a real browser, signing in with codes received by real SMTP and SMPP sinks. */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let mail: RunningMailSink;
let sms: RunningSmsSink;
let smsSender: SmsSender;
let browser: BrowserContext;
let server: Server;
let base: string;
let annId: string;

beforeAll(async () => {
  [db, mail, sms, browser] = await Promise.all([
    createTestDatabase(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
    launchBrowser(),
  ]);
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 1 }, tierWindowDays: 365 });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Tier, [
    { code: 'silver', name: 'Silver', threshold: 100, multiplier: 1 },
    { code: 'gold', name: 'Gold', threshold: 1_000, multiplier: 2 },
  ]);
  const { partner } = await p.partner(1_000_000);
  await m.update(Partner, { id: partner.id }, { name: 'Koffie Corner' });
  await m.insert(PointOfSale, { partnerId: partner.id, code: 'dam', name: 'Dam square', channel: 'store' });
  await m.insert(CreditProgram, { name: 'Koffie Corner cashback', currency: 'EUR', partnerIds: [partner.id], cashbackPercent: 5 });
  const earn = (externalId: string, email: string, amountCents: number) =>
    inTransaction(db.dataSource, (manager) =>
      recordEvent(manager, p.ledger, {
        partnerId: partner.id,
        member: { externalId, email, emailVerified: true },
        type: 'purchase',
        amountCents,
        currency: 'EUR',
        pointOfSaleCode: 'dam',
        occurredAt: new Date(),
        receivedAt: new Date(),
      }),
    );
  const ann = await earn('ann', 'ann@example.test', 25_000);
  const bo = await earn('bo', 'bo@example.test', 10_000);
  annId = ann.memberId;
  await m.update(Member, { id: bo.memberId }, { displayName: 'Bo Jansen' });
  await m.update(Member, { id: annId }, { displayName: 'Ann de Vries' });
  await inTransaction(db.dataSource, (manager) =>
    transferBetweenMembers(manager, p.ledger, { fromMemberId: bo.memberId, toMemberId: annId, points: 30, key: 'gift-1' }),
  );

  smsSender = createSmppSender(sms.smsUrl, 'Tessera');
  const codes = {
    secret: 'test-code-secret',
    messenger: createCodeMessenger(createMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>'), smsSender),
  };
  server = createWebApp({
    health: {},
    api: { dataSource: db.dataSource, ledger: p.ledger, memberCodes: codes },
    portal: portalRouter({ dataSource: db.dataSource, codes, publicUrl: 'http://127.0.0.1', signInRequestsPerWindow: 1_000 }),
  }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  server?.close();
  smsSender?.close();
  await Promise.all([mail?.stop(), sms?.stop()]);
  await db?.drop();
});

const latestCode = (address: string) => latestCodeSent({ mail: mail.directory, sms: sms.directory }, address);

/** Signs in as a person would: the address, then the code from their inbox, by keyboard. */
async function signIn(address: string): Promise<Page> {
  // One browser for every test: whoever signed in before is signed out of it first.
  await browser.clearCookies();
  const member = await browser.newPage();
  await member.setViewportSize({ width: 390, height: 844 });
  await member.goto(`${base}/member`);
  await member.waitForURL(`${base}/member/sign-in`);
  await member.getByLabel('Email or mobile number').fill(address);
  await member.keyboard.press('Enter');
  await member.waitForURL(/\/member\/sign-in\/code/);
  await member.getByLabel('Code').fill(await latestCode(address));
  await member.getByRole('button', { name: 'Sign in' }).click();
  await member.waitForURL(`${base}/member`);
  return member;
}

describe('signing in', () => {
  it('shows a member who signs in with the emailed code their balance, tier progress, expiring points and explained history, as the ledger has them', async () => {
    const page = await signIn('ann@example.test');
    const summary = await memberSummary(db.dataSource.manager, annId);
    const text = await page.locator('main').innerText();
    expect(text).toContain('Hello Ann de Vries');
    expect(text).toContain(`Available\n${summary.balance.available}`);
    expect(summary.balance.available).toBe(250 + 30);
    expect(text).toContain('You are Silver');
    expect(text).toContain('750 more qualifying points to reach Gold');
    expect(text).toContain(`${summary.expiring.days30} in the next 30 days`);
    expect(text).toContain('Gift from Bo Jansen');
    expect(text).toContain('Points for a purchase');
    expect(text).toContain('Koffie Corner · Dam square');
    // Store credit is money beside the points: 5% cashback on €250.00.
    expect(text).toContain('Store credit');
    expect(text).toContain('Koffie Corner cashback\n€12.50');
    await page.screenshot({ path: join(artifactsDir, 'member-dashboard-phone.png'), fullPage: true });

    await page.getByRole('link', { name: 'All your history' }).click();
    await page.waitForURL(`${base}/member/history`);
    const csv = await (await page.request.get(`${base}/member/history.csv`)).text();
    const rows = csv.trim().split('\r\n').slice(1);
    expect(rows.map((r) => Number(r.split(',').at(-3))).reduce((a, b) => a + b, 0)).toBe(summary.balance.available);
    await page.close();
  });

  it('answers an unknown address exactly as a known one, and enrols whoever proves it', async () => {
    const say = async (address: string) => {
      const page = await browser.newPage();
      await page.goto(`${base}/member/sign-in`);
      await page.getByLabel('Email or mobile number').fill(address);
      await page.getByRole('button', { name: 'Send me a code' }).click();
      await page.waitForURL(/\/member\/sign-in\/code/);
      const text = (await page.locator('main').innerText()).replace(address, 'ADDRESS');
      await page.close();
      return text;
    };
    expect(await say('nobody-yet@example.test')).toBe(await say('bo@example.test'));

    const newcomer = await signIn('nobody-yet@example.test');
    expect(await newcomer.locator('main').innerText()).toContain('Available\n0');
    const joined = await db.dataSource.manager.findOneByOrFail(Member, { email: 'nobody-yet@example.test' });
    expect(joined.emailVerifiedAt).not.toBeNull();
    expect(joined.provisionalPartnerId).toBeNull();
    await newcomer.close();
  });

  it('signs in by SMS too, with a phone number in international form', async () => {
    const page = await signIn('+33 6 12 34 56 78');
    expect(await page.locator('main').innerText()).toContain('+33612345678');
    await page.close();
  });

  it('puts a wrong code, and an address that is neither email nor phone, under the field, and keeps the code to five tries', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/member/sign-in`);
    await page.getByLabel('Email or mobile number').fill('not an address');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await expect.poll(() => page.locator('#address-error').innerText()).toContain('Enter an email address');
    await page.getByLabel('Email or mobile number').fill('bo@example.test');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.waitForURL(/\/member\/sign-in\/code/);
    const right = await latestCode('bo@example.test');
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Code').fill(wrong);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('#code-error').innerText()).toContain('wrong, used or expired');
    }
    await page.screenshot({ path: join(artifactsDir, 'member-sign-in-wrong-code.png') });
    await page.getByLabel('Code').fill(right);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#code-error').innerText()).toContain('wrong, used or expired');
    await page.close();
  });

  it('sends one address at most five codes an hour, saying the same for any address', async () => {
    const ask = (address: string) =>
      fetch(`${base}/member/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: new URLSearchParams({ address }),
        redirect: 'manual',
      });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await ask('flood@example.test')).status);
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
  });

  it('signs the member out on every device at once', async () => {
    const phone = await signIn('ann@example.test');
    const laptop = await openMemberSession(db.dataSource.manager, { memberId: annId, partnerId: null });
    const opens = async (token: string) =>
      (await fetch(`${base}/member`, { headers: { cookie: `tessera_member=${token}` }, redirect: 'manual' })).status;
    expect(await opens(laptop.token)).toBe(200);
    await phone.getByRole('button', { name: 'Sign out on every device' }).click();
    await phone.waitForURL(`${base}/member/sign-in`);
    expect(await opens(laptop.token)).toBe(303);
    await phone.goto(`${base}/member`);
    await phone.waitForURL(`${base}/member/sign-in`);
    await phone.close();
  });

  it("opens no dashboard for a store widget's session, and refuses a sign-in posted from another site", async () => {
    const { partner } = await p.partner(0);
    const widget = await openMemberSession(db.dataSource.manager, { memberId: annId, partnerId: partner.id });
    const opened = await fetch(`${base}/member`, { headers: { cookie: `tessera_member=${widget.token}` }, redirect: 'manual' });
    expect([opened.status, opened.headers.get('location')]).toEqual([303, '/member/sign-in']);
    const crossSite = await fetch(`${base}/member/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ address: 'ann@example.test' }),
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
  });
});

describe('their profile', () => {
  it('keeps what the member says of themselves and which messages they get, with a wrong birthday under its field', async () => {
    const page = await signIn('bo@example.test');
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Bo J.');
    await page.getByLabel('Birthday', { exact: true }).fill('2999-01-01');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#birthday-error').innerText()).toContain('must not be in the future');
    await page.getByLabel('Birthday', { exact: true }).fill('1990-02-28');
    await page.getByLabel('Offers and news by email').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('main').innerText()).toContain('Saved.');
    await page.screenshot({ path: join(artifactsDir, 'member-profile-phone.png'), fullPage: true });
    const bo = await db.dataSource.manager.findOneByOrFail(Member, { email: 'bo@example.test' });
    expect([bo.displayName, bo.birthday, bo.messagePreferences.marketing?.email]).toEqual(['Bo J.', '1990-02-28', false]);
    await page.close();
  });
});

describe('their data', () => {
  it('lets a member download all their data, then delete their account: signed out, nothing left to know them by, the ledger whole', async () => {
    const { partner } = await p.partner(10_000);
    await inTransaction(db.dataSource, (manager) =>
      recordEvent(manager, p.ledger, {
        partnerId: partner.id,
        member: { externalId: 'cy', email: 'cy@example.test', emailVerified: true },
        type: 'purchase',
        amountCents: 5_000,
        currency: 'EUR',
        occurredAt: new Date(),
        receivedAt: new Date(),
      }),
    );
    const page = await signIn('cy@example.test');
    await page.getByRole('link', { name: 'Your data' }).click();
    const data = await (await page.request.get(`${base}/member/privacy/my-data.json`)).json();
    expect(JSON.stringify(data)).toContain('cy@example.test');
    expect(data.history.length).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Delete my account' }).click();
    await expect.poll(() => page.locator('#confirm-error').innerText()).toContain('Tick the box');
    await page.getByLabel('I want my account and my personal data deleted').check();
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await expect.poll(() => page.locator('main').innerText()).toContain('Your account is deleted');
    await page.screenshot({ path: join(artifactsDir, 'member-account-deleted.png') });
    await page.goto(`${base}/member`);
    await page.waitForURL(`${base}/member/sign-in`);
    expect(await db.dataSource.manager.countBy(Member, { email: 'cy@example.test' })).toBe(0);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
    await page.close();
  });
});
