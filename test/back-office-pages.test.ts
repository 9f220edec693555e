import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { AuditEntry, ErasureRequest, FulfilmentOrder, Partner, StaffUser, WebhookDelivery, WebhookEndpoint } from '../entities/index.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import { artifactsDir, launchBrowser, settle } from './support/browser.js';
import type { TestDatabase } from './support/database.js';
import { serveBackOffice } from './support/back-office.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
let db: TestDatabase;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

beforeAll(async () => {
  // A person in Amsterdam reading the back office in British English: amounts and times as they read them.
  [harness, browser] = await Promise.all([
    startWorkerHarness(startDevServer, 'back-office-pages-test'),
    launchBrowser({ locale: 'en-GB', timezoneId: 'Europe/Amsterdam' }),
  ]);
  db = harness.db;
  await seedDemoProgram(db.dataSource);
  const manager = db.dataSource.manager;
  // A record of each resource the demo leaves empty.
  const fitapp = await manager.findOneByOrFail(Partner, { code: 'fitapp' });
  const endpoint = await manager.save(WebhookEndpoint, {
    partnerId: fitapp.id,
    url: 'https://hooks.fitapp.example/tessera',
    events: ['points.earned' as const],
    secret: 'whsec_test',
  });
  await manager.insert(WebhookDelivery, { endpointId: endpoint.id, event: 'points.earned', payload: {}, status: 'delivered', attempts: 1 });
  const [member] = await db.dataSource.query(`SELECT id FROM member WHERE "externalId" = 'demo-007'`);
  await manager.insert(ErasureRequest, { memberId: member.id, reason: 'Letter of 2 May', requestedBy: 'care@tessera.demo' });
  const [redemption] = await db.dataSource.query(`SELECT id FROM redemption ORDER BY "createdAt" DESC LIMIT 1`);
  await manager.insert(FulfilmentOrder, {
    redemptionId: redemption.id,
    supplier: 'manual',
    supplierOrderId: `manual-${redemption.id}`,
    orderedAt: new Date(),
  });
  const operator = await manager.findOneByOrFail(StaffUser, { email: 'operator@tessera.demo' });
  await manager.insert(AuditEntry, {
    staffUserId: operator.id,
    staffEmail: operator.email,
    action: 'edit',
    resource: 'Partner',
    recordId: fitapp.id,
    before: { name: 'Fit App' },
    after: { name: 'FitApp' },
  });
  await manager.insert(StaffUser, {
    email: 'locked.out@tessera.test',
    name: 'Lou Lockedout',
    role: 'care_agent',
    passwordHash: await hashPassword(demoPassword),
    failedSignIns: 5,
    lockedUntil: new Date(Date.now() + 10 * 60_000),
  });
  served = await serveBackOffice(harness);
  base = served.base;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await harness?.stop();
});

async function signIn(email: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', demoPassword);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL(`${base}/admin`);
  return page;
}

/** The records a list answers, in the order it shows them (its own sort, newest first where it matters). */
async function listed(page: Page, resource: string): Promise<{ id: string; params: Record<string, unknown> }[]> {
  return page.evaluate(async (resource) => {
    const answer = await (await fetch(`/admin/api/resources/${resource}/actions/list`)).json();
    return answer.records;
  }, resource);
}

/** What the page shows in its main part, once AdminJS has drawn its records. */
async function shown(page: Page, path: string, ready: string): Promise<string> {
  await page.goto(`${base}${path}`);
  const main = page.locator('[data-css="app-content"]').first();
  await expect.poll(async () => (await main.count()) > 0 && (await page.locator(ready).count()) > 0, { timeout: 20_000 }).toBe(true);
  await settle(page);
  return main.innerText();
}

interface PageExpectation {
  resource: string;
  /** What the list shows, in words a person reads (a name rather than an id, an amount in money). */
  list?: (string | RegExp)[];
  show?: (string | RegExp)[];
  /** Never shown, on the list or the record's page. */
  never?: (string | RegExp)[];
}

const dateWithZone = /\d{1,2} \w{3} \d{4}, \d{2}:\d{2} (CES?T|GMT\+\d)/;

const operatorPages: PageExpectation[] = [
  { resource: 'Partner', list: ['Koffie Corner', 'Physical store', dateWithZone], show: ['reports@', dateWithZone] },
  { resource: 'PointOfSale', list: ['Amsterdam Centraal', /Koffie Corner|FitApp|BookBarn Online/, /Store|Web shop|App/] },
  { resource: 'ApiKey', list: [/Koffie Corner|FitApp|BookBarn Online/, 'tk_'] },
  { resource: 'PointPackage', list: ['€1,400.00', '€49.00', '200,000'], never: ['Price Cents', '140000'] },
  { resource: 'Invoice', list: [/€\d{1,3}(,\d{3})*\.\d{2}/, /Koffie Corner|FitApp|BookBarn Online/], never: ['Amount Cents'] },
  { resource: 'Tier', list: [] },
  {
    resource: 'ProgramSettings',
    list: ['Points expire 12 months after they are earned'],
    show: ['Points expire 12 months after they are earned'],
  },
  { resource: 'Reward', list: ['Free coffee voucher', 'Unlimited'] },
  { resource: 'Company', list: ['Acme Logistics'] },
  { resource: 'CompanyFunding', list: ['Acme Logistics', 'The program'] },
  { resource: 'MemberEvent', list: [/Koffie Corner|FitApp|BookBarn Online/, /[A-Z][a-zé]+ [A-Z][a-z]+/] },
  { resource: 'Redemption', list: [/[A-Z][a-zé]+ [A-Z][a-z]+/, /voucher|discount|Donate/i] },
  { resource: 'FulfilmentOrder', list: [/[A-Z][a-zé]+ [A-Z][a-z]+/] },
  { resource: 'LedgerTransfer', list: [/wallet|Issuance|[A-Z][a-zé]+ [A-Z][a-z]+/] },
  { resource: 'StaffUser', list: ['Olivia Operator', 'Koffie Corner', 'Locked until'] },
  { resource: 'AuditEntry', list: ['Olivia Operator', 'FitApp'] },
  { resource: 'ErasureRequest', list: [/[A-Z][a-zé]+ [A-Z][a-z]+/] },
  { resource: 'WebhookEndpoint', list: ['FitApp', 'Points earned'] },
  { resource: 'WebhookDelivery', list: ['FitApp', 'Points earned'] },
  { resource: 'Segment', list: ['Gold members', 'Members in Gold', /\d+ members? now/, dateWithZone], show: [/\d+ members? now/] },
];

const partnerPages: PageExpectation[] = [
  { resource: 'Partner', list: ['Koffie Corner'] },
  { resource: 'PointOfSale', list: ['Amsterdam Centraal'] },
  { resource: 'ApiKey', list: ['tk_'] },
  { resource: 'Invoice', list: ['Koffie Corner', /€\d/] },
  { resource: 'MemberEvent', list: ['Koffie Corner', /demo-\d{3}/] },
];

/** Where a date is kept: the order a list is read in. */
const timeOf = (params: Record<string, unknown>) =>
  new Date(String(params.at ?? params.occurredAt ?? params.fundedAt ?? params.requestedAt ?? params.createdAt ?? 0)).getTime();

/** Lists read in order of time, newest first (the queue of orders to pick is read oldest first: the next to pick on top). */
const oldestFirst = new Set(['FulfilmentOrder']);
const notInTime = new Set(['Tier', 'ProgramSettings']);

describe.each([
  ['operator@tessera.demo', operatorPages],
  ['partner@tessera.demo', partnerPages],
])('the back office as %s', (email, pages) => {
  let page: Page;
  beforeAll(async () => {
    page = await signIn(email);
  });
  afterAll(async () => page?.close());
  const who = email.split('@')[0]!;

  it.each(pages)('shows names, money and times on the list and page of $resource, never an id', async ({ resource, list, show, never }) => {
    const records = await listed(page, resource);
    expect(records.length, resource).toBeGreaterThan(0);
    const listText = await shown(page, `/admin/resources/${resource}`, 'table tbody tr');
    await page.screenshot({ path: join(artifactsDir, `names-${who}-${resource}-list.png`), fullPage: true });
    expect.soft(listText, `${resource} list`).not.toMatch(uuid);
    for (const expected of list ?? []) expect.soft(listText, `${resource} list`).toMatch(expected);
    for (const absent of never ?? []) expect.soft(listText, `${resource} list`).not.toMatch(absent);
    if (records.length > 1 && !notInTime.has(resource)) {
      const times = records.map((record) => timeOf(record.params));
      const sorted = [...times].sort((a, b) => (oldestFirst.has(resource) ? a - b : b - a));
      expect.soft(times, `${resource} in order of time`).toEqual(sorted);
    }

    const showText = await shown(page, `/admin/resources/${resource}/records/${records[0]!.id}/show`, '[data-testid^="property-show-"]');
    // What a webhook delivery sent is shown as the partner received it, ids and all.
    const sent = page.locator('[data-testid="property-show-sent"]');
    const sentText = (await sent.count()) > 0 ? await sent.innerText() : '';
    await page.screenshot({ path: join(artifactsDir, `names-${who}-${resource}-show.png`), fullPage: true });
    expect.soft(showText.replace(sentText, ''), `${resource} page`).not.toMatch(uuid);
    for (const expected of show ?? []) expect.soft(showText, `${resource} page`).toMatch(expected);
    for (const absent of never ?? []) expect.soft(showText, `${resource} page`).not.toMatch(absent);
  });
});

describe('forms in the browser', () => {
  let page: Page;
  beforeAll(async () => {
    page = await signIn('operator@tessera.demo');
  });
  afterAll(async () => page?.close());
  const field = (name: string) => page.locator(`[data-testid="property-edit-${name}"]`);

  it.each([
    ['Partner', 'new'],
    ['PointOfSale', 'new'],
    ['PointPackage', 'new'],
    ['Reward', 'new'],
    ['Tier', 'new'],
    ['StaffUser', 'new'],
    ['WebhookEndpoint', 'new'],
    ['CompanyFunding', 'new'],
  ])('opens the %s form with choices for closed lists and words for each field', async (resource, action) => {
    await page.goto(`${base}/admin/resources/${resource}/actions/${action}`);
    await expect.poll(() => page.locator('form [data-testid^="property-edit-"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await settle(page);
    await page.screenshot({ path: join(artifactsDir, `form-${resource}-${action}.png`), fullPage: true });
    const labels = await page.locator('form label').allInnerTexts();
    expect(labels.join('\n')).not.toMatch(/Cents|\bId\b|Policy/);
  });

  it('opens the program settings with the expiry policy’s fields, and refuses a 13th month under its field', async () => {
    await page.goto(`${base}/admin/resources/ProgramSettings/records/1/edit`);
    await expect.poll(() => field('tierWindowDays').count(), { timeout: 20_000 }).toBe(1);
    await settle(page);
    await page.screenshot({ path: join(artifactsDir, 'form-ProgramSettings-edit.png'), fullPage: true });
    const labels = (await page.locator('form label').allInnerTexts()).join('\n');
    for (const label of ['Points expire', 'Months', 'Month', 'Tier window (days)']) expect(labels).toContain(label);
    expect(labels).not.toMatch(/Expiry Policy/);
    // Choose a fixed date, on the 13th month of the year.
    await field('expiryPolicy.mode').locator('input').first().click();
    await page.getByText('on a fixed date each year', { exact: true }).click();
    await page.fill('input[name="expiryPolicy.month"]', '13');
    await page.fill('input[name="expiryPolicy.day"]', '31');
    await page.fill('input[name="expiryPolicy.yearsAfter"]', '0');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => field('expiryPolicy.month').innerText(), { timeout: 15_000 }).toContain('must be a whole number from 1 to 12');
    await field('expiryPolicy.month').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'form-ProgramSettings-refused.png'), fullPage: true });
    const [settings] = await db.dataSource.query(`SELECT "expiryPolicy" FROM program_settings`);
    expect(settings.expiryPolicy).toEqual({ mode: 'period', months: 12 });
  });

  it('refuses a reward priced −500 points and a picture over http, under their fields, and saves nothing', async () => {
    await page.goto(`${base}/admin/resources/Reward/actions/new`);
    await expect.poll(() => field('pointsPrice').count(), { timeout: 20_000 }).toBe(1);
    await page.fill('input[name=name]', 'Umbrella');
    await page.fill('input[name=code]', 'umbrella');
    await page.fill('input[name=pointsPrice]', '-500');
    await page.fill('input[name=imageUrl]', 'http://cdn.example.com/umbrella.png');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => field('pointsPrice').innerText(), { timeout: 15_000 }).toContain('must be a whole number above 0');
    expect(await field('imageUrl').innerText()).toContain('must start with https://');
    expect(await page.locator('body').innerText()).not.toMatch(/violates|null value|constraint|syntax/);
    await field('pointsPrice').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'form-Reward-refused.png'), fullPage: true });
    expect(await db.dataSource.query(`SELECT 1 FROM reward WHERE code = 'umbrella'`)).toEqual([]);
  });

  it('sells a package priced in euros, typed as a person types a price', async () => {
    await page.goto(`${base}/admin/resources/PointPackage/actions/new`);
    await expect.poll(() => field('price').count(), { timeout: 20_000 }).toBe(1);
    await page.fill('input[name=name]', 'Mega: 1,000,000 points');
    await page.fill('input[name=code]', 'mega');
    await page.fill('input[name=points]', '1000000');
    await page.fill('input[name=price]', '5,000.00');
    await field('currency').locator('input').first().fill('EUR');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('€5,000.00');
    await page.screenshot({ path: join(artifactsDir, 'form-PointPackage-saved.png'), fullPage: true });
    expect(await db.dataSource.query(`SELECT "priceCents", currency, active FROM point_package WHERE code = 'mega'`)).toEqual([
      { priceCents: 500_000, currency: 'EUR', active: false },
    ]);
  });
});
