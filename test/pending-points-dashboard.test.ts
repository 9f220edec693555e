import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, Member, Partner, ProgramSettings } from '../entities/index.js';
import { recordEvent, type RecordedEvent } from '../loyalty/earning/record-event.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { memberCookie } from '../portal/member-session-cookie.js';
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

/** The member dashboard of a member whose latest purchases are still in their return window, in a real browser. */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let mail: RunningMailSink;
let sms: RunningSmsSink;
let smsSender: SmsSender;
let browser: BrowserContext;
let server: Server;
let base: string;
let orders: RecordedEvent[];
let shopCode: string;
const dayMs = 86_400_000;

beforeAll(async () => {
  [db, mail, sms, browser] = await Promise.all([
    createTestDatabase(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
    launchBrowser(),
  ]);
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 }, pendingDays: 14 });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  const { partner } = await p.partner(100_000);
  await m.update(Partner, { id: partner.id }, { name: 'Koffie Corner' });
  shopCode = partner.code;
  const buy = (amountCents: number, daysAgo: number) =>
    inTransaction(db.dataSource, (manager) =>
      recordEvent(manager, p.ledger, {
        partnerId: partner.id,
        member: { externalId: 'lea', email: 'lea@example.test', emailVerified: true },
        type: 'purchase',
        amountCents,
        currency: 'EUR',
        occurredAt: new Date(Date.now() - daysAgo * dayMs),
        receivedAt: new Date(),
      }),
    );
  orders = [await buy(4_200, 3), await buy(12_000, 1)];
  await m.update(Member, { id: orders[0]!.memberId }, { displayName: 'Lea Smit' });

  smsSender = createSmppSender(sms.smsUrl, 'Tessera');
  const codes = {
    secret: 'test-code-secret',
    messenger: createCodeMessenger(createMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>'), smsSender),
  };
  server = createWebApp({
    health: {},
    api: { dataSource: db.dataSource, ledger: p.ledger, memberCodes: codes },
    portal: portalRouter({ dataSource: db.dataSource, codes, publicUrl: 'http://127.0.0.1', signInRequestsPerWindow: 1_000 }),
    demoStore: true,
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

const day = (d: Date) => d.toISOString().slice(0, 10);

it('shows the member their pending points and when each part becomes spendable, apart from what they can spend', async () => {
  const { token } = await openMemberSession(db.dataSource.manager, { memberId: orders[0]!.memberId, partnerId: null });
  await browser.addCookies([{ name: memberCookie, value: token, url: `${base}/member` }]);
  const page = await browser.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/member`);
  const balance = page.getByRole('region', { name: 'Balance' });
  await expect.poll(() => balance.textContent()).toContain('Available0');
  const pending = page.getByRole('region', { name: 'Pending points' });
  const lines = await pending.getByRole('listitem').allTextContents();
  expect(lines).toEqual([
    `42 points pending, available from ${day(orders[0]!.availableFrom!)}`,
    `120 points pending, available from ${day(orders[1]!.availableFrom!)}`,
  ]);
  expect(await pending.textContent()).toContain('A refund of the purchase before then cancels them');
  const history = await page.getByRole('region', { name: 'Latest activity' }).textContent();
  expect(history).toContain(`pending, available from ${day(orders[1]!.availableFrom!)}`);
  await page.screenshot({ path: join(artifactsDir, 'member-dashboard-pending-points.png'), fullPage: true });
  await page.close();
});

it("shows the pending points apart in the store's widget", async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/demo-store?partner=${shopCode}&member=lea`);
  await expect
    .poll(() => page.locator('tessera-earn .text').innerText(), { timeout: 10_000 })
    .toMatch(/^You have 0 points \(\+162 pending\)/);
  await page.screenshot({ path: join(artifactsDir, 'earn-widget-pending-points.png') });
  await page.close();
});
