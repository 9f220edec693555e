import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Partner } from '../entities/index.js';
import { figures } from '../reports/analytics.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import { serveBackOffice } from './support/back-office.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import type { TestDatabase } from './support/database.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * The dashboard's analytics as an operator and a partner use them: a date range on every figure,
 * each figure defined on hover and downloadable as CSV, a nonsense range refused under its field,
 * and a partner's figures its own whatever it puts in the query.
 */
let harness: WorkerHarness;
let db: TestDatabase;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
let others: Partner[];
let koffie: Partner;

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'analytics-dashboard-test'), launchBrowser()]);
  db = harness.db;
  await seedDemoProgram(db.dataSource);
  koffie = await db.dataSource.manager.findOneByOrFail(Partner, { code: 'koffie-corner' });
  others = (await db.dataSource.manager.find(Partner)).filter((p) => p.id !== koffie.id);
  served = await serveBackOffice(harness);
  base = served.base;
  // AdminJS bundles the components on the first request: made here, not within a test's time.
  await fetch(`${base}/admin/frontend/assets/components.bundle.js`);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await harness?.stop();
});

async function signIn(email: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', demoPassword);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL(`${base}/admin`);
  await page.waitForSelector('[data-range-shown]', { timeout: 60_000 });
  return page;
}

/** A screenshot of the whole page: AdminJS scrolls inside its layout, so the window is made as tall as what it holds. */
async function snapshot(page: Page, name: string) {
  const height = await page.evaluate(() => Math.max(...[...document.querySelectorAll('body *')].map((e) => e.scrollHeight)));
  await page.setViewportSize({ width: 1400, height: Math.min(Math.max(height + 100, 1000), 6000) });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(artifactsDir, name) });
  await page.setViewportSize({ width: 1400, height: 1000 });
}

/** The dashboard's API as the signed-in user's browser calls it. */
async function dashboard(page: Page, query: string) {
  return page.evaluate(async (query) => {
    const response = await fetch(`/admin/api/dashboard?${query}`);
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', text };
  }, query);
}

const iso = (date: Date) => date.toISOString().slice(0, 10);
const daysAgo = (n: number) => iso(new Date(Date.now() - n * 86_400_000));

describe("the operator's analytics", () => {
  it('change with the date range, define every figure on hover, and download each as CSV', async () => {
    const page = await signIn('operator@tessera.demo');
    const shown = () => page.locator('[data-range-shown]').innerText();
    expect(await shown()).toContain(`Figures from ${daysAgo(29)} to ${daysAgo(0)} (30 days, UTC)`);
    const panels = await page.locator('[data-panel]').evaluateAll((all) => all.map((p) => p.getAttribute('data-panel')));
    expect(panels).toEqual([...figures]);
    // Every figure says how it is counted on hover, in words.
    const definitions = await page.locator('[data-definition]').evaluateAll((all) => all.map((d) => d.getAttribute('title') ?? ''));
    expect(definitions.length).toBeGreaterThanOrEqual(figures.length + 5);
    for (const definition of definitions) expect(definition.length).toBeGreaterThan(40);
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/Outstanding points \(today\)\s*\?\s+[\d,]+/);
    expect(text).toMatch(/Liability in money \(today\)\s*\?\s+€[\d,]+\.\d\d/);
    await snapshot(page, 'analytics-dashboard-operator-30-days.png');
    await page.screenshot({ path: join(artifactsDir, 'analytics-dashboard-operator-top.png') });
    expect(text).toMatch(/Koffie Corner\s+[\d,]+\s+€0\.0070\s+€[\d,]+\.\d\d/);

    await page.getByRole('button', { name: 'Last 90 days' }).click();
    await expect.poll(shown).toContain(`Figures from ${daysAgo(89)} to ${daysAgo(0)} (90 days, UTC)`);
    await page.fill('#range-from', daysAgo(120));
    await page.fill('#range-to', daysAgo(1));
    await page.getByRole('button', { name: 'Show this range' }).click();
    await expect.poll(shown).toContain(`Figures from ${daysAgo(120)} to ${daysAgo(1)} (120 days, UTC)`);
    expect(await page.locator('[data-panel=member-growth] h5').innerText()).toContain('New members per week');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-csv=liability]')]);
    expect(download.suggestedFilename()).toBe(`liability_${daysAgo(120)}_${daysAgo(1)}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toBe('funder,points held by members,price paid per point,value at that price,currency');
    expect(csv.find((line) => line.startsWith('Koffie Corner,'))).toMatch(/^Koffie Corner,\d+,0\.0070\d*,\d+\.\d\d,EUR$/);
    await snapshot(page, 'analytics-dashboard-operator-120-days.png');

    // A range that ends before it starts: the message under the field, the figures of the last range kept.
    await page.fill('#range-from', daysAgo(3));
    await page.fill('#range-to', daysAgo(10));
    await page.getByRole('button', { name: 'Show this range' }).click();
    await expect.poll(() => page.locator('body').innerText()).toContain(`must be on or before the end of the range (${daysAgo(10)})`);
    expect(await shown()).toContain(`(120 days, UTC)`);
    await snapshot(page, 'analytics-dashboard-refused-range.png');
    await page.close();
  }, 180_000);

  it('answers a nonsense range with a message by field, never a 500', async () => {
    const page = await signIn('operator@tessera.demo');
    const cases: [string, string, RegExp][] = [
      [`from=${daysAgo(1)}&to=${daysAgo(5)}`, 'from', /must be on or before/],
      ['from=2026-13-01&to=2026-12-01', 'from', /YYYY-MM-DD/],
      [`from=${daysAgo(3)}`, 'to', /is required with from/],
      [`from=${daysAgo(3)}&to=${iso(new Date(Date.now() + 3 * 86_400_000))}`, 'to', /must not be after today/],
      [`from=${daysAgo(400)}&to=${daysAgo(0)}`, 'from', /at most 366 days/],
      ['preset=365', 'preset', /must be 7, 30 or 90/],
      [`from=${daysAgo(3)}&from=${daysAgo(2)}&to=${daysAgo(1)}`, 'from', /YYYY-MM-DD/],
      ['csv=../../etc/passwd', 'csv', /must be one of/],
    ];
    for (const [query, field, message] of cases) {
      const answer = await dashboard(page, query);
      expect(answer.status, query).toBe(400);
      expect(JSON.parse(answer.text).errors[field], query).toMatch(message);
    }
    const file = await dashboard(page, 'preset=7&csv=points-per-day');
    expect(file).toMatchObject({ status: 200, type: 'text/csv; charset=utf-8' });
    expect(file.text.split('\r\n')).toHaveLength(1 + 7 + 1);
    await page.close();
  });
});

describe("a partner's analytics", () => {
  it('are its own through every figure and CSV, whatever partner the query names', async () => {
    const page = await signIn('partner@tessera.demo');
    const text = await page.locator('body').innerText();
    expect(text).toContain('Koffie Corner');
    expect(text).toMatch(/Wallet \(points left to issue\)\s*\?\s+[\d,]+/);
    for (const other of others) expect(text).not.toContain(other.name);
    await snapshot(page, 'analytics-dashboard-partner.png');

    const json = JSON.parse((await dashboard(page, `preset=90&partnerId=${others[0]!.id}&partner=${others[0]!.code}`)).text);
    expect(json.scope).toBe('Koffie Corner');
    expect(json.liability.funders.map((f: { funder: string }) => f.funder)).toEqual(['Koffie Corner']);
    expect(json.repeat.byPartner.map((p: { partner: string }) => p.partner)).toEqual(['Koffie Corner']);
    for (const figure of figures) {
      for (const other of others) {
        const answer = await dashboard(page, `preset=90&csv=${figure}&partnerId=${other.id}&scope=program`);
        expect(answer.status, figure).toBe(200);
        expect(answer.text, `${figure} for ${other.name}`).not.toContain(other.name);
      }
    }
    for (const other of others) expect(JSON.stringify(json)).not.toContain(other.name);
    await page.close();
  });
});
