import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, StaffUser, Tier } from '../entities/index.js';
import { createCampaign } from '../loyalty/campaigns/campaigns.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import { serveBackOffice } from './support/back-office.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { campaignDraft } from './support/campaign-draft.js';
import type { TestDatabase } from './support/database.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * The audit log records each back-office action with what it changed, as a person reads it on the
 * entry's page: names and formatted values before and after, never ids or secrets.
 */
let harness: WorkerHarness;
let db: TestDatabase;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'audit-log-test'), launchBrowser()]);
  db = harness.db;
  await seedDemoProgram(db.dataSource);
  served = await serveBackOffice(harness);
  base = served.base;
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await harness?.stop();
});

async function signIn(email: string): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', demoPassword);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL(`${base}/admin`);
  return page;
}

/** A POST from the signed-in browser, as the back office's own forms and buttons send them. */
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

/** The newest audit entry of an action on a record, as its page in the back office shows it. */
async function shownEntry(page: Page, resource: string, action: string, recordId: string) {
  const [entry] = await db.dataSource.query(
    `SELECT id, before, after FROM audit_entry WHERE resource = $1 AND action = $2 AND "recordId" = $3 ORDER BY at DESC LIMIT 1`,
    [resource, action, recordId],
  );
  if (!entry) return null;
  const shown = await page.evaluate(
    async (id) => (await (await fetch(`/admin/api/resources/AuditEntry/records/${id}/show`)).json()).record.params,
    entry.id as string,
  );
  return { id: entry.id as string, changes: String(shown.changes), stored: JSON.stringify([entry.before, entry.after]) };
}

describe('the audit log', () => {
  it("records a campaign's lifecycle, each move from one status to the next", async () => {
    const page = await signIn('operator@tessera.demo');
    // It starts tomorrow: scheduled, not yet running, while the test moves it.
    const { id } = await createCampaign(
      db.dataSource.manager,
      campaignDraft({ name: 'Kitchen week', startsAt: new Date(Date.now() + 86_400_000) }),
      'manager@tessera.demo',
    );
    const moves: [string, string][] = [
      ['schedule', 'status: draft → scheduled'],
      ['pause', 'status: scheduled → paused'],
      ['resume', 'status: paused → scheduled'],
      ['end', 'status: scheduled → ended'],
    ];
    for (const [action, change] of moves) {
      expect((await post(page, `/admin/api/resources/Campaign/records/${id}/${action}`)).status, action).toBe(200);
      expect((await shownEntry(page, 'Campaign', action, id))?.changes, action).toBe(change);
    }
    await page.close();
  });

  it('records a supervisor approving and rejecting care adjustments, with the member by name', async () => {
    const agent = await signIn('care@tessera.demo');
    const ask = async (points: string) =>
      (
        await post(agent, '/admin/api/resources/CareAdjustment/actions/new', {
          memberExternalId: 'demo-007',
          points,
          reason: 'Goodwill for a lost parcel',
        })
      ).body.record.params.id as string;
    const [approved, rejected] = [await ask('1500'), await ask('2500')];
    await agent.close();
    const supervisor = await signIn('supervisor@tessera.demo');
    expect((await post(supervisor, `/admin/api/resources/CareAdjustment/records/${approved}/approve`)).status).toBe(200);
    expect((await post(supervisor, `/admin/api/resources/CareAdjustment/records/${rejected}/reject`)).status).toBe(200);
    expect((await shownEntry(supervisor, 'CareAdjustment', 'approve', approved))?.changes).toBe(
      'status: awaiting approval → approved\npoints: 1,500',
    );
    expect((await shownEntry(supervisor, 'CareAdjustment', 'reject', rejected))?.changes).toBe(
      'status: awaiting approval → rejected\npoints: 2,500',
    );
    await supervisor.close();
  });

  it('records unlocking a staff account, the lock and failed sign-ins as they were, dates with their time zone', async () => {
    const analyst = await db.dataSource.manager.findOneByOrFail(StaffUser, { email: 'analyst@tessera.demo' });
    await db.dataSource.manager.update(StaffUser, { id: analyst.id }, { failedSignIns: 5, lockedUntil: new Date('2099-01-02T03:04:00Z') });
    const page = await signIn('operator@tessera.demo');
    expect((await post(page, `/admin/api/resources/StaffUser/records/${analyst.id}/unlock`)).status).toBe(200);
    const entry = await shownEntry(page, 'StaffUser', 'unlock', analyst.id);
    expect(entry?.changes).toBe('locked until: 2 Jan 2099, 03:04 UTC → —\nfailed sign ins: 5 → 0');
    // The entry's page, as the operator reads it.
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${base}/admin/resources/AuditEntry/records/${entry!.id}/show`);
    await expect.poll(() => page.locator('body').innerText()).toContain('failed sign ins: 5 → 0');
    const text = await page.locator('body').innerText();
    expect(text).toContain('Ana Analyst');
    expect(text).not.toContain(analyst.id);
    await page.screenshot({ path: join(artifactsDir, 'audit-entry-unlock.png') });
    await page.close();
  });

  it('records revoking an API key, and an edit as the fields it changed, formatted; never a secret', async () => {
    const page = await signIn('operator@tessera.demo');
    const [key] = await db.dataSource.manager.find(ApiKey, { where: { revokedAt: undefined }, take: 1 });
    expect((await post(page, `/admin/api/resources/ApiKey/records/${key!.id}/revoke`)).status).toBe(200);
    const revoked = await shownEntry(page, 'ApiKey', 'revoke', key!.id);
    expect(revoked?.changes).toMatch(/^revoked at: — → \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC$/);
    expect(revoked?.stored).not.toMatch(/hash|tk_/i);

    const gold = await db.dataSource.manager.findOneByOrFail(Tier, { code: 'gold' });
    const edited = await post(page, `/admin/api/resources/Tier/records/${gold.id}/edit`, {
      name: 'Gold',
      code: 'gold',
      threshold: '7500',
      multiplier: '1.25',
      'benefits.0': 'Free delivery',
      'benefits.1': 'Early access to sales',
    });
    expect(edited.status).toBe(200);
    expect((await shownEntry(page, 'Tier', 'edit', gold.id))?.changes).toBe('threshold: 5,000 → 7,500');

    const analyst = await db.dataSource.manager.findOneByOrFail(StaffUser, { email: 'analyst@tessera.demo' });
    await post(page, `/admin/api/resources/StaffUser/records/${analyst.id}/edit`, {
      email: analyst.email,
      name: 'Ana Analyst-Smith',
      role: 'analyst',
      password: 'A-new-password-of-2026!',
    });
    const renamed = await shownEntry(page, 'StaffUser', 'edit', analyst.id);
    expect(renamed?.changes).toBe('name: Ana Analyst → Ana Analyst-Smith');
    expect(renamed?.stored).not.toMatch(/password|\$scrypt|\$argon/i);
    await page.close();
  });
});
