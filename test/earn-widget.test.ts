import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Challenge, EarningRule, Partner, ProgramSettings, Reward } from '../entities/index.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { mintWidgetToken } from '../loyalty/widget-tokens.js';
import { createCodeMessenger } from '../reports/member-codes-messages.js';
import { createMailer } from '../reports/mailer.js';
import type { SmsSender } from '../reports/sms-sender.js';
import { readInbox, startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { createWebApp } from '../wiring/web-app.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

let db: TestDatabase;
/** This test sends codes by email only. */
const unusedSms: SmsSender = {
  send: () => Promise.reject(new Error('no SMS in this test')),
  verify: () => Promise.resolve(),
  close: () => undefined,
};
const widgetToken = async () => {
  const shop = await db.dataSource.manager.findOneByOrFail(Partner, { code: funded });
  return (await mintWidgetToken(db.dataSource.manager, { partnerId: shop.id, externalId: 'widget-ann' })).token;
};
let browser: BrowserContext;
let server: Server;
let base: string;
let funded: string;
let empty: string;
let mail: RunningMailSink;
let shopKey: string;

beforeAll(async () => {
  [db, browser, mail] = await Promise.all([
    createTestDatabase(),
    launchBrowser(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
  ]);
  const p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1 });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  const shop = await p.partner(10_000);
  funded = shop.partner.code;
  shopKey = (await issueApiKey(db.dataSource.manager, shop.partner.id, 'test')).secret;
  await db.dataSource.manager.insert(Reward, { code: 'cookie', name: 'A cookie', pointsPrice: 100 });
  // Ann, a member of the coalition, earned at another store under her proved email.
  const cafe = await p.partner(10_000);
  await db.dataSource.transaction((manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: cafe.partner.id,
      member: { externalId: 'cafe-ann', email: 'ann.w@example.test', emailVerified: true },
      type: 'purchase',
      amountCents: 10_000,
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );
  empty = (await p.partner(0)).partner.code;
  await db.dataSource.transaction((manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: shop.partner.id,
      member: { externalId: 'widget-ann' },
      type: 'purchase',
      amountCents: 4_250,
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );
  const memberCodes = {
    secret: 'test-code-secret',
    messenger: createCodeMessenger(createMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>'), unusedSms),
  };
  server = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger, memberCodes }, demoStore: true }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  server?.close();
  await mail?.stop();
  await db?.drop();
});

it("shows the member's points and what the cart earns, updating as the cart changes", async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/demo-store?partner=${funded}&member=widget-ann`);
  const widget = page.locator('tessera-earn');
  const text = page.locator('tessera-earn .text');
  await expect.poll(() => text.innerText(), { timeout: 10_000 }).toBe('You have 42 points · This cart earns 0 points');
  await page.click('#add');
  await page.click('#add');
  await expect.poll(() => text.innerText(), { timeout: 10_000 }).toBe('You have 42 points · This cart earns 9 points');
  expect(await widget.getAttribute('state')).toBe('enabled');
  await page.screenshot({ path: join(artifactsDir, 'earn-widget-enabled.png') });
  await page.close();
});

it('shows itself paused when the store has no points left to issue', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/demo-store?partner=${empty}&member=widget-ann`);
  const widget = page.locator('tessera-earn');
  const text = page.locator('tessera-earn .text');
  await expect.poll(() => text.innerText(), { timeout: 10_000 }).toBe('Points are paused at this store for now.');
  expect(await widget.getAttribute('state')).toBe('disabled');
  await page.screenshot({ path: join(artifactsDir, 'earn-widget-disabled.png') });
  await page.close();
});

it('refuses a forged widget token', async () => {
  const response = await fetch(`${base}/widget/v1/state?token=eyJwIjoiZm9yZ2VkIn0.c2lnbmF0dXJl`);
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
});

it("lets the member sign in inside the widget, shows all their Tessera points, and hands the store's checkout their say to spend them", async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/demo-store?partner=${funded}&member=widget-ann`);
  const text = page.locator('tessera-earn .text');
  await expect.poll(() => text.innerText(), { timeout: 10_000 }).toContain('You have 42 points');
  await page.getByRole('button', { name: 'Sign in to see all your Tessera points' }).click();
  await page.getByLabel('Email or mobile number').fill('ann.w@example.test');
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await expect.poll(() => page.locator('tessera-earn .box').innerText()).toContain('a 6-digit code is on its way');
  const [received] = (await readInbox(mail.directory)).filter((m) => m.to.includes('ann.w@example.test'));
  await page.getByLabel('Code').fill(/(\d{6})$/.exec(received!.subject)![1]!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The store's customer was Ann all along: her points there joined her account.
  await expect.poll(() => text.innerText(), { timeout: 10_000 }).toBe('You have 142 Tessera points · This cart earns 0 points');
  await page.screenshot({ path: join(artifactsDir, 'earn-widget-signed-in.png') });

  await page.evaluate(() =>
    document.addEventListener('tessera-use-points', (event) => {
      (window as unknown as { consent: string }).consent = (event as CustomEvent<{ authorization: string }>).detail.authorization;
    }),
  );
  await page.getByRole('button', { name: 'Use my points' }).click();
  const consent = await page.evaluate(() => (window as unknown as { consent: string }).consent);
  const redeem = (authorization: string) =>
    fetch(`${base}/api/v1/members/widget-ann/redemptions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${shopKey}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        'member-authorization': authorization,
      },
      body: JSON.stringify({ reward: 'cookie' }),
    });
  expect((await redeem(consent)).status).toBe(201);
  await page.close();
});

it('answers a wrong code in the widget under the field, and the same for any address', async () => {
  const ask = async (address: string) =>
    (
      await fetch(`${base}/widget/v1/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: await widgetToken(), address }),
      })
    ).status;
  expect([await ask('nobody@example.test'), await ask('ann.w@example.test')]).toEqual([202, 202]);
  const wrong = await fetch(`${base}/widget/v1/sign-in/code`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: await widgetToken(), address: 'ann.w@example.test', code: '000000' }),
  });
  expect(wrong.status).toBe(403);
  expect((await wrong.json()).errors[0].field).toBe('body.code');
});

it('keeps the sign-in form open when the cart changes while the member opens it (a slow answer comes after)', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/demo-store?partner=${funded}&member=widget-slow`);
  const text = page.locator('tessera-earn .text');
  await expect.poll(() => text.innerText(), { timeout: 10_000 }).toContain('You have');
  // The store's answer about the new cart arrives after the member pressed Sign in.
  await page.route('**/widget/v1/state*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 800));
    await route.continue();
  });
  await page.evaluate(() => document.querySelector('tessera-earn')!.setAttribute('amount-cents', '2500'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await page.getByRole('button', { name: 'Sign in to see all your Tessera points' }).click();
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await page.getByLabel('Email or mobile number').count()).toBe(1);
  await page.close();
});

it("shows the signed-in member's live challenges open at this store, with their progress, and no one else's", async () => {
  const manager = db.dataSource.manager;
  const ledger = new Ledger(db.dataSource);
  const shop = await manager.findOneByOrFail(Partner, { code: funded });
  const other = await manager.findOneByOrFail(Partner, { code: empty });
  const challenge = (fields: Partial<Challenge>) =>
    manager.save(
      manager.create(Challenge, {
        metric: 'purchase_count',
        target: 2,
        period: 'monthly',
        startsAt: new Date(Date.now() - 86_400_000),
        rewardPoints: 50,
        status: 'live',
        ...fields,
      }),
    );
  await challenge({ name: 'Buy twice this month' });
  await challenge({ name: 'Spend 100 here', partnerId: shop.id, fundingPartnerId: shop.id, metric: 'spend', target: 10_000 });
  await challenge({ name: "Another store's regulars", partnerId: other.id, fundingPartnerId: other.id });
  await challenge({ name: 'Not live yet', status: 'draft' });
  forgetProgramConfiguration(db.dataSource);
  const recorded = await db.dataSource.transaction((m) =>
    recordEvent(m, ledger, {
      partnerId: shop.id,
      member: { externalId: 'widget-ann' },
      type: 'purchase',
      amountCents: 3_000,
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );
  await countChallengeProgress(db.dataSource, ledger, recorded.event.id);
  const session = await openMemberSession(manager, { memberId: recorded.memberId, partnerId: shop.id });
  const state = async (authorization?: string) =>
    (
      await fetch(`${base}/widget/v1/state?token=${encodeURIComponent(await widgetToken())}`, {
        headers: authorization ? { 'member-authorization': authorization } : {},
      })
    ).json();

  const signedIn = await state(`Bearer ${session.token}`);
  expect(signedIn.challenges.map((c: { name: string; progress: number; target: number }) => [c.name, c.progress, c.target])).toEqual([
    ['Buy twice this month', 1, 2],
    ['Spend 100 here', 3_000, 10_000],
  ]);
  // The store's customer id alone shows no challenges: only the member, signed in, sees theirs.
  expect((await state()).challenges).toEqual([]);

  const page = await browser.newPage();
  await page.goto(`${base}/demo-store?partner=${funded}&member=widget-ann`);
  await expect.poll(() => page.locator('tessera-earn .text').innerText(), { timeout: 10_000 }).toContain('You have');
  // Signed in in this widget before: its session is in the page's session storage.
  await page.evaluate((token) => {
    const widget = document.querySelector('tessera-earn')!;
    sessionStorage.setItem(`tessera-session:${widget.getAttribute('token')}`, token);
    widget.setAttribute('amount-cents', '450');
  }, session.token);
  const list = page.locator('tessera-earn .challenges');
  await expect.poll(() => list.innerText().catch(() => ''), { timeout: 10_000 }).toContain('Buy twice this month: 1 of 2 purchases');
  const shown = await list.innerText();
  expect(shown).toContain('1 purchase to go for 50 points');
  expect(shown).toContain('Spend 100 here: €30.00 of €100.00 spent');
  expect(shown).not.toContain("Another store's regulars");
  expect(shown).not.toContain('Not live yet');
  expect(await page.getByRole('progressbar').count()).toBe(2);
  await page.screenshot({ path: join(artifactsDir, 'earn-widget-challenges.png') });
  await page.close();
});
