import type { Server } from 'node:http';
import { memberIdOf } from './support/program.js';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import express, { type Express } from 'express';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackOffice } from '../admin/back-office.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { createRecordingMailer } from '../reports/mailer.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import { createWebApp } from '../wiring/web-app.js';
import { launchBrowser } from './support/browser.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * What other sites and applications can make a signed-in supervisor's browser do to the back
 * office, on loopback and on a LAN address over http (where browsers send no Sec-Fetch-* headers).
 * The back office as web composes it, on a real database and a real Chromium; a reversal needs no
 * Temporal (the ledger does it).
 */

/** The machine's first non-loopback IPv4 address: a host a browser does not treat as trustworthy over http. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
// A machine with loopback only has no such host to try.
const onLan = lanAddress === undefined ? it.skip : it;

async function listenOn(app: Express, host: string) {
  const server: Server = app.listen(0, host);
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let db: TestDatabase;
let browser: BrowserContext;
let closeAll: () => Promise<void>;
const bases: Record<'loopback' | 'lan', string> = { loopback: '', lan: '' };

beforeAll(async () => {
  [db, browser] = await Promise.all([createTestDatabase(), launchBrowser()]);
  await seedDemoProgram(db.dataSource);
  const ledger = new Ledger(db.dataSource);
  const backOffice = createBackOffice({
    dataSource: db.dataSource,
    care: { ledger, approvals: {} as never },
    mailer: createRecordingMailer('smtp://127.0.0.1:1', 'Tessera <no-reply@tessera.test>', db.dataSource),
    databaseUrl: db.url,
    sessionSecret: 'a-test-session-secret-of-more-than-32-characters',
  });
  const app = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger }, backOffice: backOffice.router });
  const loopback = await listenOn(app, '127.0.0.1');
  const lan = lanAddress ? await listenOn(app, lanAddress) : undefined;
  bases.loopback = loopback.url;
  bases.lan = lan?.url ?? '';
  closeAll = async () => {
    await loopback.close();
    await lan?.close();
    await backOffice.close();
  };
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await closeAll?.();
  await db?.drop();
});

const available = async (reference: string) =>
  (await memberSummary(db.dataSource.manager, await memberIdOf(db.dataSource.manager, reference))).balance.available;

async function unreversedBurn() {
  const [burn] = await db.dataSource.query(
    `SELECT t.id, t.amount, a.code FROM ledger_transfer t JOIN ledger_account a ON a.id = t."debitAccountId"
      WHERE t.kind = 'burn' AND t.phase = 'single'
        AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r."reversesTransferId" = t.id)
        AND NOT EXISTS (SELECT 1 FROM audit_entry e WHERE e."recordId" = t.id::text) LIMIT 1`,
  );
  return { id: String(burn.id), amount: Number(burn.amount), externalId: String(burn.code).replace('member:', '') };
}

async function signIn(base: string, email = 'supervisor@tessera.demo'): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', demoPassword);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL(`${base}/admin`);
  return page;
}

describe('what another site or application makes a signed-in browser ask', () => {
  it('does not reverse a transfer when a signed-in supervisor opens a link to the API from another application (Sec-Fetch-Site: none)', async () => {
    const burn = await unreversedBurn();
    const before = await available(burn.externalId);
    const supervisor = await signIn(bases.loopback);
    // What a link in a desktop mail client or chat application does: the OS hands the URL to the browser.
    await supervisor.goto(`${bases.loopback}/admin/api/resources/LedgerTransfer/records/${burn.id}/reverse`);
    const body = await supervisor.locator('body').innerText();
    await supervisor.close();
    expect(body).toContain('only from its own pages');
    expect(await available(burn.externalId)).toBe(before);
  });

  onLan(
    'does not reverse a transfer from a link on another site with rel=noreferrer, when the back office is served over http on a LAN address',
    async () => {
      const burn = await unreversedBurn();
      const before = await available(burn.externalId);
      const supervisor = await signIn(bases.lan);
      const action = `${bases.lan}/admin/api/resources/LedgerTransfer/records/${burn.id}/reverse`;
      const attacker = await listenOn(
        express().get('/', (_req, res) => res.send(`<a id="prize" rel="noreferrer" href="${action}">prize</a>`)),
        '127.0.0.1',
      );
      try {
        await supervisor.goto(attacker.url);
        await supervisor.click('#prize');
        await supervisor.waitForURL(action);
        await supervisor.waitForLoadState('load');
        expect(await available(burn.externalId)).toBe(before);
      } finally {
        await attacker.close();
        await supervisor.close();
      }
    },
  );

  onLan(
    'does not reverse a transfer from an image on another port of the same host with referrerpolicy=no-referrer (no click at all), over http on a LAN address',
    async () => {
      const burn = await unreversedBurn();
      const before = await available(burn.externalId);
      const supervisor = await signIn(bases.lan);
      const action = `${bases.lan}/admin/api/resources/LedgerTransfer/records/${burn.id}/reverse`;
      // Another application on the same machine (compose publishes Temporal's UI and Mailpit beside the back office).
      const attacker = await listenOn(
        express().get('/', (_req, res) => res.send(`<img referrerpolicy="no-referrer" src="${action}">`)),
        lanAddress!,
      );
      try {
        await supervisor.goto(attacker.url);
        await supervisor.waitForLoadState('networkidle');
        expect(await available(burn.externalId)).toBe(before);
      } finally {
        await attacker.close();
        await supervisor.close();
      }
    },
  );
});

describe('the back office itself', () => {
  for (const where of ['loopback', 'lan'] as const) {
    (where === 'lan' ? onLan : it)(`still reverses a transfer asked from its own pages (${where})`, async () => {
      const burn = await unreversedBurn();
      const before = await available(burn.externalId);
      const supervisor = await signIn(bases[where]);
      const status = await supervisor.evaluate(
        (path) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status),
        `/admin/api/resources/LedgerTransfer/records/${burn.id}/reverse`,
      );
      const list = await supervisor.evaluate(() => fetch('/admin/api/resources/LedgerTransfer/actions/list').then((r) => r.status));
      await supervisor.close();
      expect([status, list]).toEqual([200, 200]);
      expect(await available(burn.externalId)).toBe(before + burn.amount);
    });
  }
});
