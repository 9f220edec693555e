import { join } from 'node:path';
import { memberIdOf } from './support/program.js';
import express from 'express';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { FulfilmentOrder, Partner, Redemption, Reward, StaffUser } from '../entities/index.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import type { TestDatabase } from './support/database.js';
import { serveBackOffice } from './support/back-office.js';
import { listen } from './support/http.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { boosterWindowWorkflowId } from '../workflows/booster-windows.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { findMember } from '../loyalty/member-identity.js';
import { partnerWallet } from '../loyalty/ledger/accounts.js';
import { walletStatus } from '../loyalty/funding.js';
import { createRecordingMailer } from '../reports/mailer.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { Member } from '../entities/index.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { ManualRewardSupplier } from '../loyalty/fulfilment/manual-supplier.js';

let harness: WorkerHarness;
let db: TestDatabase;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;

beforeAll(async () => {
  // Fulfilled as `npm run worker` does by default in compose: by staff, through the back office's queue.
  [harness, browser] = await Promise.all([
    startWorkerHarness(startDevServer, 'back-office-test', { supplier: new ManualRewardSupplier() }),
    launchBrowser(),
  ]);
  db = harness.db;
  await seedDemoProgram(db.dataSource);
  served = await serveBackOffice(harness);
  base = served.base;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await harness?.stop();
});

const available = async (reference: string) =>
  (await memberSummary(db.dataSource.manager, await memberIdOf(db.dataSource.manager, reference))).balance.available;

async function signIn(email: string, password = demoPassword): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Login' }).click();
  return page;
}

/** The resources the navigation offers the signed-in user (the sidebar is drawn from this state). */
async function offeredResources(page: Page): Promise<string[]> {
  await page.waitForURL(`${base}/admin`);
  await page.waitForFunction(() => 'REDUX_STATE' in window);
  return page.evaluate(() =>
    (window as unknown as { REDUX_STATE: { resources: { id: string; href: string | null }[] } }).REDUX_STATE.resources
      .filter((r) => r.href)
      .map((r) => r.id),
  );
}

async function signOut(page: Page) {
  await page.goto(`${base}/admin/logout`);
  await page.close();
}

describe('sign-in and roles', () => {
  const everything = [
    'Partner',
    'PointOfSale',
    'ApiKey',
    'PointPackage',
    'Invoice',
    'EarningRule',
    'Booster',
    'Bonus',
    'Tier',
    'ProgramSettings',
    'Reward',
    'Campaign',
    'Challenge',
    'Badge',
    'Leaderboard',
    'InstantWinCampaign',
    'Segment',
    'Member',
    'Company',
    'CompanyFunding',
    'FundingSource',
    'SettlementStatement',
    'MemberEvent',
    'Redemption',
    'Payment',
    'FulfilmentOrder',
    'LedgerTransfer',
    'StaffUser',
    'AuditEntry',
    'CareAdjustment',
    'ErasureRequest',
    'WebhookEndpoint',
    'WebhookDelivery',
    'CreditProgram',
    'ExchangeRate',
    'Receipt',
    'MessageCampaign',
  ];
  const configuration = ['EarningRule', 'Booster', 'Bonus', 'Tier'];
  const expectations: [string, string[]][] = [
    ['operator@tessera.demo', everything],
    [
      'manager@tessera.demo',
      [
        'Partner',
        'PointOfSale',
        'PointPackage',
        'Invoice',
        ...configuration,
        'ProgramSettings',
        'Reward',
        'Campaign',
        'Challenge',
        'Badge',
        'Leaderboard',
        'InstantWinCampaign',
        'Segment',
        'Member',
        'Company',
        'CompanyFunding',
        'FundingSource',
        'SettlementStatement',
        'MemberEvent',
        'Redemption',
        'Payment',
        'FulfilmentOrder',
        'LedgerTransfer',
        'CareAdjustment',
        'ErasureRequest',
        'WebhookEndpoint',
        'WebhookDelivery',
        'CreditProgram',
        'ExchangeRate',
        'Receipt',
        'MessageCampaign',
      ],
    ],
    [
      'care@tessera.demo',
      [
        'Partner',
        ...configuration,
        'Reward',
        'Campaign',
        'Challenge',
        'Badge',
        'Leaderboard',
        'InstantWinCampaign',
        'Segment',
        'Member',
        'Company',
        'CompanyFunding',
        'MemberEvent',
        'Redemption',
        'Payment',
        'FulfilmentOrder',
        'LedgerTransfer',
        'CareAdjustment',
        'ErasureRequest',
        'CreditProgram',
        'Receipt',
      ],
    ],
    [
      'supervisor@tessera.demo',
      [
        'Partner',
        ...configuration,
        'Reward',
        'Campaign',
        'Challenge',
        'Badge',
        'Leaderboard',
        'InstantWinCampaign',
        'Segment',
        'Member',
        'Company',
        'CompanyFunding',
        'MemberEvent',
        'Redemption',
        'Payment',
        'FulfilmentOrder',
        'LedgerTransfer',
        'AuditEntry',
        'CareAdjustment',
        'ErasureRequest',
        'CreditProgram',
        'Receipt',
      ],
    ],
    ['analyst@tessera.demo', everything.filter((r) => r !== 'StaffUser' && r !== 'ApiKey')],
    [
      'partner@tessera.demo',
      [
        'Partner',
        'PointOfSale',
        'ApiKey',
        'PointPackage',
        'Invoice',
        'Reward',
        'Campaign',
        'Challenge',
        'Badge',
        'Leaderboard',
        'InstantWinCampaign',
        'MemberEvent',
        'WebhookEndpoint',
        'FundingSource',
        'SettlementStatement',
        'CreditProgram',
        'Payment',
      ],
    ],
  ];
  for (const [email, offered] of expectations) {
    it(`${email} is offered what the role allows and nothing else`, async () => {
      const page = await signIn(email);
      expect((await offeredResources(page)).sort()).toEqual([...offered].sort());
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(artifactsDir, `back-office-${email.split('@')[0]}.png`) });
      await signOut(page);
    });
  }

  it('answers 403 when a role asks the server for what it may not see or change', async () => {
    const page = await signIn('analyst@tessera.demo');
    await offeredResources(page);
    const statuses = await page.evaluate(async () => ({
      staff: (await fetch('/admin/api/resources/StaffUser/actions/list')).status,
      newRule: (await fetch('/admin/api/resources/EarningRule/actions/new', { method: 'POST' })).status,
      members: (await fetch('/admin/api/resources/Member/actions/list')).status,
    }));
    expect(statuses).toEqual({ staff: 403, newRule: 403, members: 200 });
    await signOut(page);
  });

  it("keeps a partner user out of another partner's page, with a 403", async () => {
    const other = await db.dataSource.manager.findOneByOrFail(Partner, { code: 'bookbarn' });
    const own = await db.dataSource.manager.findOneByOrFail(Partner, { code: 'koffie-corner' });
    const page = await signIn('partner@tessera.demo');
    await offeredResources(page);
    const response = await page.goto(`${base}/admin/resources/Partner/records/${other.id}/show`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('h1').innerText()).toContain('403');
    await page.screenshot({ path: join(artifactsDir, 'back-office-partner-forbidden.png') });
    const apiStatus = await page.evaluate(async (id) => (await fetch(`/admin/api/resources/Partner/records/${id}/show`)).status, other.id);
    expect(apiStatus).toBe(403);
    expect((await page.goto(`${base}/admin/resources/Partner/records/${own.id}/show`))?.status()).toBe(200);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('Koffie Corner');
    await signOut(page);
  });

  it('tells a partner user without a partner, who cannot sign in, to ask the operator', async () => {
    await db.dataSource.manager.insert(StaffUser, {
      email: 'orphan@tessera.test',
      name: 'Orphaned Partner User',
      role: 'partner_user',
      partnerId: null,
      passwordHash: await hashPassword(demoPassword),
    });
    const page = await signIn('orphan@tessera.test');
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('ask the operator to set its role');
    expect(page.url()).toContain('/admin/login');
    await page.screenshot({ path: join(artifactsDir, 'back-office-unusable-account.png') });
    expect((await page.goto(`${base}/admin`))?.url()).toContain('/admin/login');
    await page.close();
  });

  it('locks an account after five failed sign-ins, even for the right password', async () => {
    await db.dataSource.manager.insert(StaffUser, {
      email: 'forgetful@tessera.test',
      name: 'Forgetful Agent',
      role: 'care_agent',
      passwordHash: await hashPassword(demoPassword),
    });
    for (let i = 0; i < 5; i++) {
      const page = await signIn('forgetful@tessera.test', 'wrong password');
      await page.waitForSelector('text=/incorrect|invalid|wrong/i', { timeout: 15_000 }).catch(() => undefined);
      await page.close();
    }
    const [{ lockedUntil }] = await db.dataSource.query(`SELECT "lockedUntil" FROM staff_user WHERE email = 'forgetful@tessera.test'`);
    expect(new Date(lockedUntil).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    const page = await signIn('forgetful@tessera.test');
    await page.waitForTimeout(1_000);
    expect(page.url()).toContain('/admin/login');
    await page.close();
  });
});

describe('staff users and webhook endpoints', () => {
  it('makes the operator pick one of the six roles and, for a partner user, its partner, with the message under the field', async () => {
    const page = await signIn('operator@tessera.demo');
    await offeredResources(page);
    await page.goto(`${base}/admin/resources/StaffUser/actions/new`);
    await page.fill('input[name=email]', 'bea@koffiecorner.test');
    await page.fill('input[name=name]', 'Bea Barista');
    await page.fill('input[name=password]', 'a long enough password');
    await page.locator('[data-testid="property-edit-role"]').click();
    const offered = await page.locator('[id*="-option-"]').allInnerTexts();
    expect(offered).toEqual(['Operator admin', 'Program manager', 'Care agent', 'Care supervisor', 'Analyst (read-only)', 'Partner user']);
    await page.getByText('Partner user', { exact: true }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    const partnerField = page.locator('[data-testid="property-edit-partnerId"]');
    await expect.poll(() => partnerField.innerText(), { timeout: 15_000 }).toContain('a partner user needs the partner whose data it sees');
    await page.screenshot({ path: join(artifactsDir, 'back-office-staff-user-invalid.png'), fullPage: true });
    expect(await db.dataSource.query(`SELECT 1 FROM staff_user WHERE email = 'bea@koffiecorner.test'`)).toEqual([]);

    await partnerField.click();
    await page.keyboard.type('Koffie');
    await page.getByText('Koffie Corner', { exact: true }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('Successfully created a new record');
    const koffieCorner = await db.dataSource.manager.findOneByOrFail(Partner, { code: 'koffie-corner' });
    const [saved] = await db.dataSource.query(`SELECT role, "partnerId" FROM staff_user WHERE email = 'bea@koffiecorner.test'`);
    expect(saved).toEqual({ role: 'partner_user', partnerId: koffieCorner.id });
    await signOut(page);
  });

  it('refuses a bad staff user form under its fields: no password, a taken email in another case', async () => {
    const page = await signIn('operator@tessera.demo');
    await offeredResources(page);
    await page.goto(`${base}/admin/resources/StaffUser/actions/new`);
    await page.fill('input[name=email]', 'Analyst@tessera.demo');
    await page.fill('input[name=name]', 'Another Analyst');
    await page.locator('[data-testid="property-edit-role"]').click();
    await page.getByText('Analyst (read-only)', { exact: true }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    const field = (name: string) => page.locator(`[data-testid="property-edit-${name}"]`);
    await expect.poll(() => field('password').innerText(), { timeout: 15_000 }).toContain('is required for a new staff user');
    expect(await field('email').innerText()).toContain('is already the email of another staff user');
    expect(await page.locator('body').innerText()).not.toMatch(/violates|duplicate key|null value|constraint/);
    await page.screenshot({ path: join(artifactsDir, 'back-office-staff-user-refused.png'), fullPage: true });
    expect(await db.dataSource.query(`SELECT email FROM staff_user WHERE lower(email) = 'analyst@tessera.demo'`)).toEqual([
      { email: 'analyst@tessera.demo' },
    ]);
    await signOut(page);
  });

  it('sets a webhook endpoint up with a choice of events and a public https address, and shows its signing secret once, on a screen that stays', async () => {
    const page = await signIn('manager@tessera.demo');
    await offeredResources(page);
    await page.goto(`${base}/admin/resources/WebhookEndpoint/actions/new`);
    await expect.poll(() => page.locator('input[name=url]').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('[data-testid="property-edit-secret"]').count()).toBe(0);
    await page.fill('input[name=url]', 'http://127.0.0.1:54320/x');
    await page.locator('[data-testid="property-edit-partnerId"]').click();
    await page.keyboard.type('Book');
    await page.getByText('BookBarn Online', { exact: true }).click();
    // The events are chosen among those Tessera sends, by name.
    const events = page.locator('[data-testid="property-edit-events"]');
    await events.click();
    expect(await page.locator('[id*="-option-"]').allInnerTexts()).toEqual([
      'Points earned (points.earned)',
      'Points expired (points.expired)',
      'Member changed tier (member.tier_changed)',
      'Reward redeemed (redemption.completed)',
      'Challenge completed (challenge.completed)',
      'Badge awarded (badge.awarded)',
      'Badge taken back (badge.revoked)',
      'Instant win (instant_win.won)',
    ]);
    await page.getByText('Points earned (points.earned)', { exact: true }).click();
    await events.click();
    await page.getByText('Member changed tier (member.tier_changed)', { exact: true }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    const urlField = page.locator('[data-testid="property-edit-url"]');
    await expect.poll(() => urlField.innerText(), { timeout: 15_000 }).toContain('must start with https://');
    await page.screenshot({ path: join(artifactsDir, 'back-office-webhook-refused.png'), fullPage: true });
    expect(await db.dataSource.query(`SELECT 1 FROM webhook_endpoint WHERE url = 'http://127.0.0.1:54320/x'`)).toEqual([]);

    await page.fill('input[name=url]', 'https://hooks.bookbarn.test/loyalty');
    await page.getByRole('button', { name: 'Save' }).click();
    const secretBox = page.locator('[data-testid="shown-once-secret"]');
    await expect.poll(() => secretBox.inputValue().catch(() => ''), { timeout: 15_000 }).toMatch(/^whsec_/);
    const shown = await secretBox.inputValue();
    const [endpoint] = await db.dataSource.query(
      `SELECT id, secret, events FROM webhook_endpoint WHERE url = 'https://hooks.bookbarn.test/loyalty'`,
    );
    expect(endpoint.secret).toBe(shown);
    expect(endpoint.events).toEqual(['points.earned', 'member.tier_changed']);
    // A notice would be gone by now; the screen stays until the manager leaves it.
    await page.waitForTimeout(8_000);
    expect(await secretBox.inputValue()).toBe(shown);
    expect(await page.locator('[data-testid="shown-once"]').innerText()).toContain('Shown once: copy it now');
    await page.screenshot({ path: join(artifactsDir, 'back-office-webhook-secret-once.png'), fullPage: true });

    await page.goto(`${base}/admin/resources/WebhookEndpoint/records/${endpoint.id}/show`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('https://hooks.bookbarn.test/loyalty');
    const showText = await page.locator('body').innerText();
    expect(showText).not.toContain(shown);
    expect(showText).toContain('Points earned (points.earned)');
    expect(showText).toContain('Member changed tier (member.tier_changed)');
    await page.screenshot({ path: join(artifactsDir, 'back-office-webhook-show.png'), fullPage: true });
    await page.goto(`${base}/admin/resources/WebhookEndpoint`);
    await expect.poll(() => page.locator('table').innerText(), { timeout: 15_000 }).toContain('https://hooks.bookbarn.test/loyalty');
    const listed = await page.locator('table').innerText();
    expect(listed).toContain('Points earned (points.earned)');
    expect(listed).not.toContain('Length:');
    expect(listed).not.toContain(shown);
    await page.screenshot({ path: join(artifactsDir, 'back-office-webhook-list.png'), fullPage: true });

    // Rotating shows the new secret the same way; opening the screen alone rotates nothing.
    await page.goto(`${base}/admin/resources/WebhookEndpoint/records/${endpoint.id}/rotateSecret`);
    await page.getByRole('button', { name: 'Rotate signing secret' }).waitFor({ timeout: 15_000 });
    const stored = async () => (await db.dataSource.query(`SELECT secret FROM webhook_endpoint WHERE id = $1`, [endpoint.id]))[0].secret;
    expect(await stored()).toBe(shown);
    await page.getByRole('button', { name: 'Rotate signing secret' }).click();
    await expect.poll(() => secretBox.inputValue().catch(() => ''), { timeout: 15_000 }).toMatch(/^whsec_/);
    const rotated = await secretBox.inputValue();
    expect(rotated).not.toBe(shown);
    expect(await stored()).toBe(rotated);
    await page.screenshot({ path: join(artifactsDir, 'back-office-webhook-secret-rotated.png'), fullPage: true });
    await signOut(page);
  });
});

describe('refusals of the database, in words', () => {
  it('puts a missing channel under its field, and says what still uses a partner that cannot be deleted', async () => {
    const page = await signIn('manager@tessera.demo');
    await offeredResources(page);
    await page.goto(`${base}/admin/resources/PointOfSale/actions/new`);
    await page.locator('[data-testid="property-edit-partnerId"]').click();
    await page.keyboard.type('Fit');
    await page.getByText('FitApp', { exact: true }).click();
    await page.fill('input[name=code]', 'gym-east');
    await page.fill('input[name=name]', 'Gym East');
    await page.getByRole('button', { name: 'Save' }).click();
    const channel = page.locator('[data-testid="property-edit-channel"]');
    await expect.poll(() => channel.innerText(), { timeout: 15_000 }).toContain('is required');
    expect(await page.locator('body').innerText()).not.toMatch(/violates|null value|constraint/);
    await page.screenshot({ path: join(artifactsDir, 'back-office-point-of-sale-refused.png'), fullPage: true });

    const bookbarn = await db.dataSource.manager.findOneByOrFail(Partner, { code: 'bookbarn' });
    await page.goto(`${base}/admin/resources/Partner/records/${bookbarn.id}/show`);
    await page
      .getByRole('button', { name: 'Delete' })
      .or(page.getByRole('link', { name: 'Delete' }))
      .first()
      .click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toMatch(/Cannot be deleted: \d+ records still use it/);
    expect(await page.locator('body').innerText()).not.toMatch(/violates|RESTRICT|foreign key/);
    await page.screenshot({ path: join(artifactsDir, 'back-office-partner-delete-refused.png'), fullPage: true });
    expect(await db.dataSource.manager.existsBy(Partner, { id: bookbarn.id })).toBe(true);
    await signOut(page);
  });
});

describe('configuration', () => {
  it('lets a program manager create a booster, showing the validation error of a bad coefficient first', async () => {
    const page = await signIn('manager@tessera.demo');
    await offeredResources(page);
    await page.goto(`${base}/admin/resources/Booster/actions/new`);
    await page.fill('input[name=name]', 'Weekend coffee');
    await page.fill('input[name=coefficient]', '0');
    await page.fill('input[name="target.category"]', 'coffee');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('must be a number between 0.1 and 10');
    await page.screenshot({ path: join(artifactsDir, 'back-office-booster-invalid.png') });
    expect(await db.dataSource.query(`SELECT 1 FROM booster WHERE name = 'Weekend coffee'`)).toEqual([]);

    await page.fill('input[name=coefficient]', '1.5');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('Successfully created a new record');
    const [saved] = await db.dataSource.query(`SELECT id, coefficient, target FROM booster WHERE name = 'Weekend coffee'`);
    expect(saved).toMatchObject({ coefficient: '1.500' });
    expect(saved.target).toEqual({ category: 'coffee' });
    const [entry] = await db.dataSource.query(
      `SELECT "staffEmail", action, after FROM audit_entry WHERE resource = 'Booster' AND "recordId" = $1`,
      [saved.id],
    );
    expect(entry).toMatchObject({ staffEmail: 'manager@tessera.demo', action: 'new' });

    // Running it over a period starts its window workflow, which waits for the start.
    await db.dataSource.query(
      `UPDATE booster SET "validFrom" = now() + interval '2 days', "validTo" = now() + interval '9 days' WHERE id = $1`,
      [saved.id],
    );
    const scheduled = await page.evaluate(
      async (id) => (await (await fetch(`/admin/api/resources/Booster/records/${id}/scheduleWindow`, { method: 'POST' })).json()).notice,
      saved.id,
    );
    expect(scheduled).toMatchObject({ type: 'success' });
    const window = await harness.env.client.workflow.getHandle(boosterWindowWorkflowId(saved.id)).describe();
    expect(window.status.name).toBe('RUNNING');
    await signOut(page);
  });
});

describe('earning rules', () => {
  it('saves a rule from the form as the typed formula the program reads, and refuses an incomplete one', async () => {
    const page = await signIn('manager@tessera.demo');
    await offeredResources(page);
    const save = (fields: Record<string, string>) =>
      page.evaluate(async (fields) => {
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        return (await fetch('/admin/api/resources/EarningRule/actions/new', { method: 'POST', body: form })).json();
      }, fields);
    const refused = await save({ name: 'Half-filled', 'formula.kind': 'per_action', 'formula.points': '30' });
    expect(refused.record.errors['formula.actionType'].message).toBe('is required for per_action');
    await save({
      name: 'Newsletter sign-up',
      'formula.kind': 'per_action',
      'formula.actionType': 'newsletter_signup',
      'formula.points': '30',
      'formula.pointsPerUnit': '',
      'caps.perMemberPerMonth': '30',
      'caps.perEvent': '',
      priority: '0',
      stacking: 'stack',
      active: 'true',
    });
    const [rule] = await db.dataSource.query(`SELECT formula, caps FROM earning_rule WHERE name = 'Newsletter sign-up'`);
    expect(rule).toEqual({ formula: { kind: 'per_action', actionType: 'newsletter_signup', points: 30 }, caps: { perMemberPerMonth: 30 } });
    expect(await db.dataSource.query(`SELECT 1 FROM earning_rule WHERE name = 'Half-filled'`)).toEqual([]);
    await signOut(page);
  });
});

describe('care adjustments', () => {
  async function requestAdjustment(page: Page, externalId: string, points: number, reason: string) {
    await page.goto(`${base}/admin/resources/CareAdjustment/actions/new`);
    await page.fill('input[name=memberExternalId]', externalId);
    await page.fill('input[name=points]', String(points));
    await page.fill('textarea[name=reason]', reason);
    await page.getByRole('button', { name: 'Save' }).click();
  }

  async function memberPage(page: Page, externalId: string): Promise<string> {
    await page.goto(`${base}/admin/resources/Member?filters.externalId=${externalId}`);
    await page.getByText(externalId, { exact: true }).first().click();
    await page.waitForURL(/\/records\/[^/]+\/show/);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('available');
    // The history comes in a moment after the page.
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('movements, newest first');
    return page.locator('body').innerText();
  }

  it("finds a member and applies a small adjustment at once: the member's balance and history change", async () => {
    const before = await available('demo-005');
    const page = await signIn('care@tessera.demo');
    await offeredResources(page);
    const shown = await memberPage(page, 'demo-005');
    expect(shown).toContain(`${new Intl.NumberFormat('en').format(before)} available`);
    expect(shown).toMatch(/funded by (Koffie Corner|BookBarn Online|FitApp)/);
    // Which stores know the member, and by which of their ids: what a store calling care names.
    expect(shown).toMatch(/(Koffie Corner|BookBarn Online|FitApp) knows them as demo-005/);
    await requestAdjustment(page, 'demo-005', 40, 'Points missing from a till receipt');
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('Applied: 40 points');
    expect(await available('demo-005')).toBe(before + 40);
    const [transfer] = await db.dataSource.query(
      `SELECT t.kind, t.amount, t.explanation FROM ledger_transfer t JOIN ledger_account a ON a.id = t."creditAccountId"
        WHERE a.code = 'member:demo-005' AND t.kind = 'adjust'`,
    );
    expect(transfer).toMatchObject({ kind: 'adjust', amount: '40', explanation: [{ reason: 'Points missing from a till receipt' }] });
    const after = await memberPage(page, 'demo-005');
    expect(after).toContain(`${new Intl.NumberFormat('en').format(before + 40)} available`);
    // The history, a table: when, kind, points, status, partner, point of sale, why.
    expect(after).toMatch(/adjust\s+\+40\s+posted\s+care adjustment: 40 \(Points missing from a till receipt\)/);
    await page.screenshot({ path: join(artifactsDir, 'back-office-member.png') });
    await signOut(page);
  });

  it('names the fields of a bad request and writes nothing', async () => {
    const page = await signIn('care@tessera.demo');
    await offeredResources(page);
    await requestAdjustment(page, 'nobody-here', 0, 'no');
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('no member "nobody-here"');
    const text = await page.locator('body').innerText();
    expect(text).toContain('say why, in a few words');
    expect(text).toContain('must be a whole number of points');
    expect(await db.dataSource.query(`SELECT 1 FROM care_adjustment WHERE "memberExternalId" = 'nobody-here'`)).toEqual([]);
    await signOut(page);
  });

  it('holds a large adjustment until a supervisor approves it', async () => {
    const before = await available('demo-006');
    const agent = await signIn('care@tessera.demo');
    await offeredResources(agent);
    await requestAdjustment(agent, 'demo-006', 1_000, 'Goodwill for a lost parcel');
    await expect.poll(() => agent.locator('body').innerText(), { timeout: 15_000 }).toContain('Waiting for a supervisor');
    const [adjustment] = await db.dataSource.query(`SELECT id, status FROM care_adjustment WHERE "memberExternalId" = 'demo-006'`);
    expect(adjustment.status).toBe('awaiting_approval');
    expect(await available('demo-006')).toBe(before);
    const forbidden = await agent.evaluate(
      async (id) => (await fetch(`/admin/api/resources/CareAdjustment/records/${id}/approve`, { method: 'POST' })).status,
      adjustment.id,
    );
    expect(forbidden).toBe(403);
    await signOut(agent);

    const supervisor = await signIn('supervisor@tessera.demo');
    await offeredResources(supervisor);
    await supervisor.goto(`${base}/admin/resources/CareAdjustment/records/${adjustment.id}/show`);
    await supervisor
      .getByRole('link', { name: 'Approve' })
      .or(supervisor.getByRole('button', { name: 'Approve' }))
      .first()
      .click();
    const confirm = supervisor.getByRole('button', { name: 'Confirm' });
    if (await confirm.count()) await confirm.click();
    await expect
      .poll(async () => (await db.dataSource.query(`SELECT status FROM care_adjustment WHERE id = $1`, [adjustment.id]))[0].status, {
        timeout: 20_000,
      })
      .toBe('applied');
    expect(await available('demo-006')).toBe(before + 1_000);
    const [{ decidedBy }] = await db.dataSource.query(`SELECT "decidedBy" FROM care_adjustment WHERE id = $1`, [adjustment.id]);
    expect(decidedBy).toBe('supervisor@tessera.demo');
    await signOut(supervisor);
  });
});

describe('dashboards', () => {
  async function chartsOf(page: Page) {
    await page.waitForSelector('canvas#points-per-day', { timeout: 60_000 });
    await page.waitForTimeout(500);
    return page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((canvas) => {
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
        return { id: canvas.id, painted };
      }),
    );
  }

  it("shows the operator the program's points per day, figures and top partners as charts", async () => {
    const page = await signIn('operator@tessera.demo');
    await offeredResources(page);
    const charts = await chartsOf(page);
    expect(charts.map((c) => c.id)).toEqual([
      'points-per-day',
      'top-partners',
      'liability',
      'expiry-forecast',
      'returning-by-partner',
      'returning-by-cohort',
      'member-growth',
    ]);
    for (const chart of charts) expect(chart.painted, chart.id).toBeGreaterThan(1_000);
    const text = await page.locator('body').innerText();
    expect(text).toContain('The coalition program');
    expect(text).toMatch(/Outstanding points \(today\)\s*\?\s+[\d,]+/);
    expect(text).toMatch(/Redemption rate\s*\?\s+[\d.]+%/);
    await page.screenshot({ path: join(artifactsDir, 'back-office-dashboard-operator.png'), fullPage: true });
    await signOut(page);
  });

  it("shows a partner user its own partner's figures, wallet and invoices", async () => {
    const page = await signIn('partner@tessera.demo');
    await offeredResources(page);
    const charts = await chartsOf(page);
    for (const chart of charts) expect(chart.painted, chart.id).toBeGreaterThan(1_000);
    const text = await page.locator('body').innerText();
    expect(text).toContain('Koffie Corner');
    expect(text).toMatch(/Wallet \(points left to issue\)\s*\?\s+[\d,]+/);
    expect(text).toMatch(/TES-\d{4}-\d{6} — 200,000 points — 1400\.00 EUR/);
    expect(text).not.toContain('BookBarn');
    await page.screenshot({ path: join(artifactsDir, 'back-office-dashboard-partner.png'), fullPage: true });
    await signOut(page);
  });
});

describe('actions', () => {
  async function post(page: Page, path: string, fields: Record<string, string> = {}) {
    return page.evaluate(
      async ({ path, fields }) => {
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        const response = await fetch(path, { method: 'POST', body: form });
        return { status: response.status, body: await response.json().catch(() => null) };
      },
      { path, fields },
    );
  }

  it('sells a package to a partner: a numbered invoice, and the points in its wallet', async () => {
    const fitapp = await db.dataSource.manager.findOneByOrFail(Partner, { code: 'fitapp' });
    const [pack] = await db.dataSource.query(`SELECT id FROM point_package WHERE code = 'starter'`);
    const before = (await walletStatus(db.dataSource.manager, fitapp.id)).available;
    const page = await signIn('operator@tessera.demo');
    await offeredResources(page);
    const sold = await post(page, '/admin/api/resources/Invoice/actions/new', { partnerId: fitapp.id, packageId: pack.id });
    expect(sold.status).toBe(200);
    expect(sold.body.notice.message).toMatch(/^Sold: invoice TES-\d{4}-\d{6}, 5000 points credited to FitApp$/);
    expect((await walletStatus(db.dataSource.manager, fitapp.id)).available).toBe(before + 5_000);
    const refused = await post(page, '/admin/api/resources/Invoice/actions/new', { partnerId: fitapp.id });
    expect(refused.body.record.errors.packageId.message).toBe('choose a package on sale');
    await signOut(page);
  });

  it('shows a new API key, and a rotated one, on a screen that stays, with a copy button; the old key stops working', async () => {
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const bookbarn = await db.dataSource.manager.findOneByOrFail(Partner, { code: 'bookbarn' });
    const keys = async () => Number((await db.dataSource.query(`SELECT count(*) AS n FROM api_key`))[0].n);
    const before = await keys();
    const page = await signIn('operator@tessera.demo');
    await offeredResources(page);
    await page.goto(`${base}/admin/resources/Partner/records/${bookbarn.id}/createApiKey`);
    const create = page.getByRole('button', { name: 'Create API key' });
    await create.waitFor({ timeout: 15_000 });
    expect(await keys()).toBe(before);
    await create.click();
    const secretBox = page.locator('[data-testid="shown-once-secret"]');
    await expect.poll(() => secretBox.inputValue().catch(() => ''), { timeout: 15_000 }).toMatch(/^tk_/);
    const secret = await secretBox.inputValue();
    expect(await keys()).toBe(before + 1);
    await page.waitForTimeout(8_000);
    expect(await secretBox.inputValue()).toBe(secret);
    expect(await page.locator('[data-testid="shown-once"]').innerText()).toContain('Shown once: copy it now');
    await page.getByRole('button', { name: 'Copy' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await expect.poll(() => page.locator('[data-testid="shown-once"]').innerText()).toContain('Copied');
    await page.screenshot({ path: join(artifactsDir, 'back-office-api-key-once.png'), fullPage: true });
    const wallet = (key: string) => fetch(`${base}/api/v1/wallet`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    expect(await wallet(secret)).toBe(200);

    const [key] = await db.dataSource.query(`SELECT id FROM api_key WHERE prefix = $1`, [secret.slice(0, 'tk_'.length + 12)]);
    await page.goto(`${base}/admin/resources/ApiKey/records/${key.id}/rotate`);
    const rotate = page.getByRole('button', { name: 'Rotate key' });
    await rotate.waitFor({ timeout: 15_000 });
    expect(await wallet(secret)).toBe(200);
    await rotate.click();
    await expect.poll(() => secretBox.inputValue().catch(() => ''), { timeout: 15_000 }).toMatch(/^tk_/);
    const replacement = await secretBox.inputValue();
    expect(replacement).not.toBe(secret);
    await page.screenshot({ path: join(artifactsDir, 'back-office-api-key-rotated.png'), fullPage: true });
    expect(await wallet(secret)).toBe(401);
    expect(await wallet(replacement)).toBe(200);
    // Neither is shown anywhere afterwards.
    await page.goto(`${base}/admin/resources/ApiKey/records/${key.id}/show`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain(secret.slice(0, 'tk_'.length + 12));
    expect(await page.locator('body').innerText()).not.toContain(secret);
    const snippet = await post(page, `/admin/api/resources/Partner/records/${bookbarn.id}/widgetSnippet`);
    expect(snippet.body.snippet.html).toContain('/widget.js');
    await signOut(page);
  });

  it('lets a care supervisor reverse a transfer, once, and refuses it to a care agent', async () => {
    const [burn] = await db.dataSource.query(
      `SELECT t.id, t.amount, a.code FROM ledger_transfer t JOIN ledger_account a ON a.id = t."debitAccountId"
        WHERE t.kind = 'burn' AND t.phase = 'single' LIMIT 1`,
    );
    const externalId = String(burn.code).replace('member:', '');
    const before = await available(externalId);
    const agent = await signIn('care@tessera.demo');
    await offeredResources(agent);
    expect((await post(agent, `/admin/api/resources/LedgerTransfer/records/${burn.id}/reverse`)).status).toBe(403);
    await signOut(agent);
    const supervisor = await signIn('supervisor@tessera.demo');
    await offeredResources(supervisor);
    const reversed = await post(supervisor, `/admin/api/resources/LedgerTransfer/records/${burn.id}/reverse`);
    expect(reversed.body.notice).toMatchObject({ type: 'success', message: `Reversed: ${burn.amount} points moved back` });
    expect(await available(externalId)).toBe(before + Number(burn.amount));
    // A second click replays the first reversal: the points do not move twice.
    await post(supervisor, `/admin/api/resources/LedgerTransfer/records/${burn.id}/reverse`);
    expect(await available(externalId)).toBe(before + Number(burn.amount));
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
    await signOut(supervisor);
  });

  it(
    "ignores what a page on another site makes a signed-in supervisor's browser ask: no reversal by link, image or form",
    { timeout: 120_000 },
    async () => {
      const [burn] = await db.dataSource.query(
        `SELECT t.id, t.amount, a.code FROM ledger_transfer t JOIN ledger_account a ON a.id = t."debitAccountId"
        WHERE t.kind = 'burn' AND t.phase = 'single'
          AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r."reversesTransferId" = t.id) LIMIT 1`,
      );
      const externalId = String(burn.code).replace('member:', '');
      const before = await available(externalId);
      const action = `${base}/admin/api/resources/LedgerTransfer/records/${burn.id}/reverse`;
      const page = `${base}/admin/resources/LedgerTransfer/records/${burn.id}/reverse`;
      // Pages an attacker serves: on another site (localhost is not 127.0.0.1), and on the same host under another port.
      const attack = express().get('/', (_req, res) =>
        res.send(`<img src="${action}"><a id="api" href="${action}">prize</a><a id="page" href="${page}">prize</a>
        <form id="form" method="post" action="${action}"><input name="x" value="1"></form>`),
      );
      const attacker = await listen(attack);
      const sameHost = attacker.url;
      const otherSite = attacker.url.replace('127.0.0.1', 'localhost');
      const supervisor = await signIn('supervisor@tessera.demo');
      await offeredResources(supervisor);
      try {
        for (const origin of [otherSite, sameHost]) {
          for (const [lure, target] of [
            ['#api', action],
            ['#page', page],
            ['form', action],
          ] as const) {
            // Loading the lure fires its image; following it, its link or its form.
            await supervisor.goto(origin);
            if (lure === 'form') await supervisor.evaluate(() => (document.getElementById('form') as HTMLFormElement).submit());
            else await supervisor.click(lure);
            await supervisor.waitForURL(target);
            await supervisor.waitForLoadState('load');
            expect(await available(externalId), `${origin} ${lure}`).toBe(before);
          }
        }
        await supervisor.screenshot({ path: join(artifactsDir, 'back-office-cross-site-refused.png') });
        // The back office itself still reverses it.
        await supervisor.goto(`${base}/admin`);
        expect((await post(supervisor, `/admin/api/resources/LedgerTransfer/records/${burn.id}/reverse`)).status).toBe(200);
        expect(await available(externalId)).toBe(before + Number(burn.amount));
      } finally {
        await attacker.close();
        await supervisor.close();
      }
    },
  );

  it('lets a care agent cancel a reward that has not shipped: the points go back; an analyst may not', async () => {
    await db.dataSource.manager.insert(Reward, {
      code: 'backordered-lamp',
      name: 'Desk lamp',
      pointsPrice: 100,
      needsFulfilment: true,
      stock: 2,
    });
    const [richest] = await db.dataSource.query(
      `SELECT m."externalId" FROM member m JOIN ledger_account a ON a."memberId" = m.id JOIN ledger_balance b ON b."accountId" = a.id
        WHERE m.email IS NOT NULL -- a person, who can be told (a company's account has no address)
        GROUP BY m."externalId" ORDER BY SUM(b."creditsPosted" - b."debitsPosted" - b."debitsPending") DESC LIMIT 1`,
    );
    const externalId = String(richest.externalId);
    const before = await available(externalId);
    const redemption = await inTransaction(db.dataSource, async (manager) =>
      redeemReward(manager, new Ledger(db.dataSource), {
        memberId: await memberIdOf(manager, externalId),
        rewardCode: 'backordered-lamp',
        quantity: 1,
        partnerId: null,
        key: 'care-cancel-test',
      }),
    );
    await harness.processes.dispatchQueued();
    const status = async () => (await db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id })).status;
    await expect.poll(status, { timeout: 20_000 }).toBe('ordered');
    expect(await available(externalId)).toBe(before - 100);

    const analyst = await signIn('analyst@tessera.demo');
    await offeredResources(analyst);
    expect((await post(analyst, `/admin/api/resources/Redemption/records/${redemption.id}/cancelFulfilment`)).status).toBe(403);
    await signOut(analyst);
    const agent = await signIn('care@tessera.demo');
    await offeredResources(agent);
    const cancelled = await post(agent, `/admin/api/resources/Redemption/records/${redemption.id}/cancelFulfilment`);
    expect(cancelled.body.notice).toMatchObject({
      type: 'success',
      message: "Cancelling: the supplier's order is cancelled and the points go back to the member in a moment",
    });
    await expect.poll(status, { timeout: 20_000 }).toBe('cancelled');
    expect(await available(externalId)).toBe(before);
    expect((await db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id })).outcome).toBe('cancelled: by customer care');
    // Dropped from the staff's queue: nobody picks it.
    expect((await db.dataSource.manager.findOneByOrFail(FulfilmentOrder, { redemptionId: redemption.id })).state).toBe('cancelled');
    const [entry] = await db.dataSource.query(
      `SELECT "staffEmail" FROM audit_entry WHERE action = 'cancelFulfilment' AND "recordId" = $1`,
      [redemption.id],
    );
    expect(entry.staffEmail).toBe('care@tessera.demo');
    // The member is told why, without the name of the staff member who did it.
    const { email } = await db.dataSource.manager.findOneByOrFail(Member, { externalId });
    const told = async () =>
      (await readInbox(harness.sink.directory)).find(
        (m) => m.to.includes(email!) && m.subject.startsWith('We could not deliver Desk lamp'),
      );
    await expect.poll(async () => (await told())?.text ?? '', { timeout: 20_000 }).toContain('(cancelled: by customer care)');
    expect((await told())!.text).not.toContain('care@tessera.demo');
    // Once cancelled, the action is no longer offered, and refused (403) when asked for anyway.
    const again = await post(agent, `/admin/api/resources/Redemption/records/${redemption.id}/cancelFulfilment`);
    expect(again.status).toBe(403);
    const shown = await agent.evaluate(
      async (id) => (await fetch(`/admin/api/resources/Redemption/records/${id}/show`)).json(),
      redemption.id,
    );
    expect(shown.record.recordActions.map((a: { name: string }) => a.name)).not.toContain('cancelFulfilment');
    expect(await available(externalId)).toBe(before);
    await signOut(agent);
  });
});

describe('the fulfilment queue', () => {
  const post = (page: Page, path: string, fields: Record<string, string> = {}) =>
    page.evaluate(
      async ({ path, fields }) => {
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        return (await fetch(path, { method: 'POST', body: form })).status;
      },
      { path, fields },
    );
  const statusOf = async (id: string) => (await db.dataSource.manager.findOneByOrFail(Redemption, { id })).status;
  const orderOf = (redemptionId: string) => db.dataSource.manager.findOneByOrFail(FulfilmentOrder, { redemptionId });
  const mailTo = async (email: string) =>
    (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(email)).map((m) => m.subject);
  let picks: { id: string; externalId: string; name: string; email: string; redemptionId: string }[];

  beforeAll(async () => {
    // Two members earn and redeem the tote bag: ordered from the staff's own stock, waiting in the queue.
    const members: { id: string; externalId: string; displayName: string; email: string }[] = await db.dataSource.query(
      `SELECT id, "externalId", "displayName", email FROM member WHERE "externalId" IN ('demo-021', 'demo-022') ORDER BY "externalId"`,
    );
    const koffieCorner = await db.dataSource.manager.findOneByOrFail(Partner, { code: 'koffie-corner' });
    const ledger = new Ledger(db.dataSource);
    for (const member of members) {
      await ledger.transfer({
        source: 'test',
        key: `queue-earn-${member.externalId}`,
        legs: [
          {
            debitAccountId: (await partnerWallet(db.dataSource.manager, koffieCorner.id)).id,
            creditAccountId: (await findMember(db.dataSource.manager, member.externalId)).account.id,
            amount: 2_500,
            kind: 'earn',
          },
        ],
      });
    }
    picks = [];
    for (const member of members) {
      const redemption = await inTransaction(db.dataSource, async (manager) =>
        redeemReward(manager, new Ledger(db.dataSource), {
          memberId: member.id,
          rewardCode: 'tote-bag',
          quantity: 1,
          partnerId: null,
          key: `queue-${member.externalId}`,
        }),
      );
      picks.push({
        id: member.id,
        externalId: member.externalId,
        name: member.displayName,
        email: member.email,
        redemptionId: redemption.id,
      });
    }
    await harness.processes.dispatchQueued();
    for (const pick of picks) {
      for (let waited = 0; (await statusOf(pick.redemptionId)) !== 'ordered'; waited += 100) {
        if (waited > 20_000) throw new Error(`redemption ${pick.redemptionId} was not ordered`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  it('shows operator staff the orders to pick, by name, and records a shipment with its carrier and tracking number', async () => {
    const [ada, ben] = picks as [(typeof picks)[0], (typeof picks)[0]];
    const before = await memberSummary(db.dataSource.manager, ada.id);
    const page = await signIn('manager@tessera.demo');
    await offeredResources(page);
    await page.goto(`${base}/admin/resources/FulfilmentOrder`);
    await expect.poll(() => page.locator('table').innerText(), { timeout: 15_000 }).toContain(ada.name);
    const listed = await page.locator('table').innerText();
    for (const shown of [ada.name, ada.email, ben.name, 'Tessera tote bag', 'to pick']) expect(listed).toContain(shown);
    for (const id of [ada.redemptionId, ben.redemptionId]) expect(listed).not.toContain(id);
    await page.screenshot({ path: join(artifactsDir, 'back-office-orders-to-pick.png'), fullPage: true });

    // A tracking number that cannot be one is refused under its field; nothing is recorded.
    const order = await orderOf(ada.redemptionId);
    await page.goto(`${base}/admin/resources/FulfilmentOrder/records/${order.id}/markShipped`);
    await expect.poll(() => page.locator('[data-testid="fulfilment-report-form"]').innerText(), { timeout: 15_000 }).toContain(ada.name);
    await page.fill('input[name=carrier]', 'PostNL');
    await page.fill('input[name=trackingNumber]', '#?');
    await page.getByRole('button', { name: 'Mark shipped' }).click();
    const tracking = page.locator('[data-testid="field-trackingNumber"]');
    await expect.poll(() => tracking.innerText(), { timeout: 15_000 }).toContain('the tracking number is 4 to 40 letters and digits');
    expect(await page.locator('[data-testid="field-carrier"]').innerText()).not.toContain('name the carrier');
    await page.screenshot({ path: join(artifactsDir, 'back-office-mark-shipped-refused.png'), fullPage: true });
    expect((await orderOf(ada.redemptionId)).state).toBe('open');

    await page.fill('input[name=trackingNumber]', '3SABCD0123456');
    await page.getByRole('button', { name: 'Mark shipped' }).click();
    await page.waitForURL(/\/admin\/resources\/FulfilmentOrder(\?|$)/);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('Marked shipped');
    await expect.poll(() => statusOf(ada.redemptionId), { timeout: 20_000 }).toBe('fulfilled');
    expect(await orderOf(ada.redemptionId)).toMatchObject({
      state: 'shipped',
      carrier: 'PostNL',
      trackingNumber: '3SABCD0123456',
      reportedBy: 'manager@tessera.demo',
    });
    const after = await memberSummary(db.dataSource.manager, ada.id);
    expect(after.balance).toMatchObject({ posted: before.balance.posted - 2_500, held: before.balance.held - 2_500 });
    await expect.poll(() => mailTo(ada.email), { timeout: 20_000 }).toContain('Your reward is on its way: Tessera tote bag');
    const [entry] = await db.dataSource.query(
      `SELECT "staffEmail", after FROM audit_entry WHERE action = 'markShipped' AND "recordId" = $1`,
      [order.id],
    );
    expect(entry).toMatchObject({ staffEmail: 'manager@tessera.demo', after: { carrier: 'PostNL', trackingNumber: '3SABCD0123456' } });
    // Picked: it leaves the queue.
    await page.goto(`${base}/admin/resources/FulfilmentOrder`);
    await expect.poll(() => page.locator('table').innerText(), { timeout: 15_000 }).toContain(ben.name);
    expect(await page.locator('table').innerText()).not.toContain(ada.name);
    await page.screenshot({ path: join(artifactsDir, 'back-office-orders-to-pick-after.png'), fullPage: true });
    await signOut(page);
  });

  it("shows an order's redemption by its member, reward and status, not by its id", async () => {
    const ben = picks[1]!;
    const order = await orderOf(ben.redemptionId);
    const page = await signIn('manager@tessera.demo');
    await offeredResources(page);
    await page.goto(`${base}/admin/resources/FulfilmentOrder/records/${order.id}/show`);
    const redemption = page.locator('[data-testid="property-show-redemptionId"]');
    await expect.poll(() => redemption.innerText(), { timeout: 15_000 }).toContain(ben.name);
    const shown = await redemption.innerText();
    expect(shown).toContain('Tessera tote bag');
    expect(shown).toContain('ordered');
    expect(shown).not.toContain(ben.redemptionId);
    await redemption.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'back-office-order-show.png'), fullPage: true });
    // The name leads to the redemption itself.
    await redemption.getByRole('link').click();
    await page.waitForURL(new RegExp(`/admin/resources/Redemption/records/${ben.redemptionId}/show`));
    await signOut(page);
  });

  it('records why an order cannot be delivered: the points go back to the member, who is told', async () => {
    const ben = picks[1]!;
    const before = await available(ben.externalId);
    const order = await orderOf(ben.redemptionId);
    const page = await signIn('operator@tessera.demo');
    await offeredResources(page);
    await page.goto(`${base}/admin/resources/FulfilmentOrder/records/${order.id}/markFailed`);
    await page.fill('textarea[name=reason]', 'no');
    await page.getByRole('button', { name: 'Mark failed' }).click();
    await expect
      .poll(() => page.locator('[data-testid="field-reason"]').innerText(), { timeout: 15_000 })
      .toContain('say why it cannot be delivered');
    await page.fill('textarea[name=reason]', 'The last tote bags were damaged in the warehouse');
    await page.getByRole('button', { name: 'Mark failed' }).click();
    await page.waitForURL(/\/admin\/resources\/FulfilmentOrder(\?|$)/);
    await expect.poll(() => statusOf(ben.redemptionId), { timeout: 20_000 }).toBe('cancelled');
    expect(await available(ben.externalId)).toBe(before + 2_500);
    expect(await orderOf(ben.redemptionId)).toMatchObject({
      state: 'failed',
      failureReason: 'The last tote bags were damaged in the warehouse',
    });
    await expect
      .poll(() => mailTo(ben.email), { timeout: 20_000 })
      .toContain('We could not deliver Tessera tote bag: your 2500 points are back');
    await signOut(page);
  });

  it("lets only operator staff report orders, and only the open ones of the staff's own stock", async () => {
    const order = await orderOf(picks[0]!.redemptionId);
    for (const email of ['care@tessera.demo', 'analyst@tessera.demo']) {
      const page = await signIn(email);
      await offeredResources(page);
      const fields = { carrier: 'DHL', trackingNumber: 'JVGL0001' };
      expect(await post(page, `/admin/api/resources/FulfilmentOrder/records/${order.id}/markShipped`, fields), email).toBe(403);
      await signOut(page);
    }
    // Shipped already: neither report is offered any more.
    const operator = await signIn('operator@tessera.demo');
    await offeredResources(operator);
    expect(await post(operator, `/admin/api/resources/FulfilmentOrder/records/${order.id}/markFailed`, { reason: 'lost in transit' })).toBe(
      403,
    );
    expect((await orderOf(picks[0]!.redemptionId)).state).toBe('shipped');
    await signOut(operator);
  });
});

describe("a member's emails", () => {
  it("sends a member's last email again, and says so when there is none", async () => {
    const mailer = createRecordingMailer(harness.sink.smtpUrl, 'Tessera <no-reply@tessera.test>', db.dataSource);
    const member = await db.dataSource.manager.findOneByOrFail(Member, { externalId: 'demo-007' });
    await mailer.send({ to: member.email!, subject: 'Your points expire in 30 days', text: '120 points expire on 24 December.' });
    mailer.close();
    const page = await signIn('care@tessera.demo');
    await offeredResources(page);
    const resend = (id: string) =>
      page.evaluate(
        async (id) => (await (await fetch(`/admin/api/resources/Member/records/${id}/resendLastEmail`, { method: 'POST' })).json()).notice,
        id,
      );
    expect(await resend(member.id)).toMatchObject({
      type: 'success',
      message: `Sent again: "Your points expire in 30 days" to ${member.email}`,
    });
    await expect
      .poll(async () => (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(member.email!)).map((m) => m.subject))
      .toEqual(['Your points expire in 30 days', 'Your points expire in 30 days']);
    const other = await db.dataSource.manager.findOneByOrFail(Member, { externalId: 'demo-008' });
    expect(await resend(other.id)).toMatchObject({ type: 'info', message: 'No email has been sent to this member yet' });
    await signOut(page);
  });
});
