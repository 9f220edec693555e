import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { AuditEntry, EarningRule, FundingSource, ProgramSettings } from '../entities/index.js';
import { createCampaign, scheduleCampaign } from '../loyalty/campaigns/campaigns.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { allocateToSource, createFundingSource } from '../loyalty/funding-sources/funding-sources.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { serveBackOffice } from './support/back-office.js';
import { artifactsDir, launchBrowser, signInToBackOffice } from './support/browser.js';
import { campaignDraft } from './support/campaign-draft.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/** Operator staff set funding sources up, fill them and read their figures and the liability; a partner sees its own sources only. */
let harness: WorkerHarness;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
const password = 'a-long-enough-password';
const sources: Record<string, FundingSource> = {};

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'funding-sources-test'), launchBrowser({ locale: 'en-GB' })]);
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 }, currency: 'EUR', pointValueMinor: 1 });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  const { partner: north } = await p.partner(100_000, 'north');
  const { partner: south } = await p.partner(100_000, 'south');
  const make = (code: string, name: string, kind: 'brand' | 'partner', ownerPartnerId: string | null, points: number) =>
    inTransaction(db, async (m) => {
      const made = await createFundingSource(m, { code, name, kind, ownerPartnerId, lowBalanceThreshold: 500, alertEmail: null });
      await allocateToSource(m, p.ledger, { sourceId: made.id, points, key: `seed-${code}`, by: 'seed' });
      return made;
    });
  sources.brand = await make('acme-kitchen', 'Acme kitchen brand budget', 'brand', null, 2_000);
  sources.north = await make('north-spring', 'North spring budget', 'partner', north.id, 1_000);
  sources.south = await make('south-own', 'South own budget', 'partner', south.id, 400);
  const campaign = await inTransaction(db, (m) => createCampaign(m, campaignDraft({ fundingSourceId: sources.brand!.id }), 'seed'));
  await inTransaction(db, (m) => scheduleCampaign(m, campaign.id));
  forgetProgramConfiguration(db);
  for (const name of ['ann', 'bob', 'cy'])
    await inTransaction(db, (m) =>
      recordEvent(m, p.ledger, {
        partnerId: north.id,
        member: { externalId: name },
        type: 'purchase',
        amountCents: 6_000,
        lines: [{ reference: 'pan', category: 'kitchen', quantity: 1, unitPriceCents: 6_000 }],
        occurredAt: new Date(),
        receivedAt: new Date(),
      }),
    );
  for (const [email, role, partnerId] of [
    ['pm@tessera.test', 'program_manager', null],
    ['baker@north.test', 'partner_user', north.id],
  ])
    await db.query(`INSERT INTO staff_user (email, name, role, "passwordHash", "partnerId") VALUES ($1, $1, $2, $3, $4)`, [
      email,
      role,
      await hashPassword(password),
      partnerId,
    ]);
  served = await serveBackOffice(harness);
  base = served.base;
  await fetch(`${base}/admin/frontend/assets/components.bundle.js`);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await harness?.stop();
});

const signIn = (email: string): Promise<Page> => signInToBackOffice(browser, base, email, password);
const text = (page: Page) => page.locator('body').innerText();
const post = (page: Page, path: string, fields: Record<string, string>) =>
  page.evaluate(
    async ([path, fields]) => {
      const data = new FormData();
      for (const [key, value] of Object.entries(fields)) data.append(key, value);
      const response = await fetch(path, { method: 'POST', body: data });
      return { status: response.status, body: await response.text() };
    },
    [path, fields] as const,
  );
const get = (page: Page, path: string) =>
  page.evaluate(async (path) => {
    const response = await fetch(path);
    return { status: response.status, body: await response.text() };
  }, path);

describe('funding sources in the back office', () => {
  it('lists each source with its figures, makes one refusing bad fields by name, and allocates to it once per reference', async () => {
    const db = harness.db.dataSource;
    const page = await signIn('pm@tessera.test');
    await page.goto(`${base}/admin/resources/FundingSource`);
    await expect.poll(() => text(page)).toContain('Acme kitchen brand budget');
    const row = page.locator('tr', { hasText: 'Acme kitchen brand budget' });
    // Three purchases of €60 of kitchen things: 60 more points each, paid by the brand.
    await expect.poll(() => row.innerText()).toContain('1,820');
    expect(await row.innerText()).toContain('180');
    await page.screenshot({ path: join(artifactsDir, 'funding-sources-list.png'), fullPage: true });

    await page.goto(`${base}/admin/resources/FundingSource/actions/new`);
    await page.locator('input[name=code]').fill('Bad Code');
    await page.locator('input[name=name]').fill('Summer budget');
    await page.locator('input[name=lowBalanceThreshold]').fill('-3');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => text(page)).toContain('must be 1 to 40 lowercase letters');
    expect(await text(page)).toContain('must be a whole number, 0 or more');
    expect(await text(page)).toContain('is required: choose one of');
    expect(await db.manager.countBy(FundingSource, { name: 'Summer budget' })).toBe(0);
    const made = await post(page, '/admin/api/resources/FundingSource/actions/new', {
      code: 'summer',
      name: 'Summer budget',
      kind: 'operator',
      lowBalanceThreshold: '100',
      alertEmail: '',
    });
    expect(made.status).toBe(200);
    const summer = await db.manager.findOneByOrFail(FundingSource, { code: 'summer' });

    await page.goto(`${base}/admin/resources/FundingSource/records/${summer.id}/allocate`);
    await page.getByLabel('Points').fill('lots');
    await page.getByRole('button', { name: 'Allocate points' }).click();
    await expect.poll(() => text(page)).toContain('must be a whole number above 0');
    await page.getByLabel('Points').fill('5000');
    await page.getByLabel(/^Reference/).fill('PO-1');
    await page.screenshot({ path: join(artifactsDir, 'funding-source-allocate.png'), fullPage: true });
    await page.getByRole('button', { name: 'Allocate points' }).click();
    await page.waitForURL(/\/show$/);
    await expect.poll(() => text(page)).toContain('5,000');
    await page.screenshot({ path: join(artifactsDir, 'funding-source-show.png'), fullPage: true });
    const again = await post(page, `/admin/api/resources/FundingSource/records/${summer.id}/allocate`, {
      points: '5000',
      reference: 'PO-1',
    });
    expect(again.body).toContain('already allocated');
    // The same reference for another amount is refused under the reference, in words, and moves nothing.
    const other = await post(page, `/admin/api/resources/FundingSource/records/${summer.id}/allocate`, {
      points: '6000',
      reference: 'PO-1',
    });
    expect(JSON.parse(other.body).record.errors).toEqual({
      reference: { message: 'PO-1 was already used for another allocation to this source: give this one its own reference' },
    });
    const allocations = await db.query(`SELECT amount FROM ledger_transfer WHERE kind = 'allocation' AND "creditAccountId" = $1`, [
      summer.accountId,
    ]);
    expect(allocations).toEqual([{ amount: '5000' }]);
    expect(await db.manager.countBy(AuditEntry, { resource: 'FundingSource', recordId: summer.id, action: 'allocate' })).toBe(1);
    // Its name and alert level change; its code and kind never do.
    const edited = await post(page, `/admin/api/resources/FundingSource/records/${summer.id}/edit`, {
      code: 'winter',
      name: 'Summer budget 2027',
      kind: 'brand',
      lowBalanceThreshold: '200',
    });
    expect(edited.body).toContain('never changes: make a new funding source');
    const renamed = await post(page, `/admin/api/resources/FundingSource/records/${summer.id}/edit`, {
      code: 'summer',
      name: 'Summer budget 2027',
      kind: 'operator',
      lowBalanceThreshold: '200',
    });
    expect(renamed.status).toBe(200);
    expect(await db.manager.findOneByOrFail(FundingSource, { id: summer.id })).toMatchObject({
      code: 'summer',
      name: 'Summer budget 2027',
      lowBalanceThreshold: 200,
    });
    await page.close();
  });

  it('shows the liability: the movement statement of a range, what members hold by funder and age, expected breakage, a CSV', async () => {
    const page = await signIn('pm@tessera.test');
    await page.goto(`${base}/admin/resources/FundingSource/actions/liability`);
    await expect.poll(() => page.getByTestId('movement-statement').innerText(), { timeout: 20_000 }).toContain('Closing liability');
    const statement = await page.getByTestId('movement-statement').innerText();
    expect(statement).toContain('Issued: earned');
    expect(statement).toMatch(/Closing liability\s+360\s+€3\.60/);
    expect(await page.getByTestId('outstanding-by-funder').innerText()).toContain('Acme kitchen brand budget');
    // Store credit is money, shown apart from the points (none here).
    expect(await page.getByTestId('outstanding-credit').innerText()).toBe('Members hold no store credit.');
    await page.getByTestId('liability-report').screenshot({ path: join(artifactsDir, 'liability-report.png') });
    const refused = await get(page, '/admin/api/resources/FundingSource/actions/liability?from=2026-13-01&to=2026-11-01');
    expect(refused.body).toContain('must be a day written YYYY-MM-DD');
    const csv = JSON.parse((await get(page, '/admin/api/resources/FundingSource/actions/liability')).body).download.content as string;
    expect(csv.split('\r\n')[0]).toBe('section,line,age,points,value (EUR)');
    expect(csv).toContain('all funders,all ages,360,3.60');
    await page.close();
  });

  it("shows a partner its own sources only, and neither another's source nor the liability", async () => {
    const page = await signIn('baker@north.test');
    await page.goto(`${base}/admin/resources/FundingSource`);
    await expect.poll(() => text(page)).toContain('North spring budget');
    expect(await text(page)).not.toContain('South own budget');
    expect(await text(page)).not.toContain('Acme kitchen brand budget');
    await page.screenshot({ path: join(artifactsDir, 'funding-sources-partner.png'), fullPage: true });
    const theirs = await get(page, `/admin/api/resources/FundingSource/records/${sources.south!.id}/show`);
    expect(theirs.body).not.toContain('South own budget');
    expect((await get(page, '/admin/api/resources/FundingSource/actions/liability')).status).toBe(403);
    // Its campaign builder offers its own source to pay a campaign, and no other.
    const builder = JSON.parse((await get(page, '/admin/api/resources/Campaign/actions/new')).body) as {
      options: { fundingSources: { name: string }[] };
    };
    expect(builder.options.fundingSources.map((f) => f.name)).toEqual(['North spring budget']);
    const allocated = await post(page, `/admin/api/resources/FundingSource/records/${sources.north!.id}/allocate`, {
      points: '10',
      reference: 'x',
    });
    expect(allocated.status).toBe(403);
    await page.close();
  });
});
