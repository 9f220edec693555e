import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, ProgramSettings } from '../entities/index.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { createWebApp } from '../wiring/web-app.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

let db: TestDatabase;
let browser: BrowserContext;
let server: Server;
let base: string;
let funded: string;
let empty: string;

beforeAll(async () => {
  [db, browser] = await Promise.all([createTestDatabase(), launchBrowser()]);
  const p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1 });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  const shop = await p.partner(10_000);
  funded = shop.partner.code;
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
  server = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger }, demoStore: true }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  server?.close();
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
