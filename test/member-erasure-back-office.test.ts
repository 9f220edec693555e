import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErasureRequest, Member } from '../entities/index.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import { serveBackOffice } from './support/back-office.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import type { TestDatabase } from './support/database.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * A member's request received by mail, handled in the back office: a care agent exports their data
 * and asks for the erasure, with the reason; another staff member, a supervisor, approves it.
 */
let harness: WorkerHarness;
let db: TestDatabase;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
/** Demo members with no points held, by reference. */
let free: Member[];

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'member-erasure-back-office-test'), launchBrowser()]);
  db = harness.db;
  await seedDemoProgram(db.dataSource);
  served = await serveBackOffice(harness);
  base = served.base;
  const references: { externalId: string }[] = await db.dataSource.query(
    `SELECT m."externalId" FROM member m JOIN ledger_account a ON a."memberId" = m.id JOIN ledger_balance b ON b."accountId" = a.id
      WHERE m.email IS NOT NULL GROUP BY m."externalId"
     HAVING SUM(b."debitsPending") = 0 AND SUM(b."creditsPosted" - b."debitsPosted") > 0 ORDER BY 1 LIMIT 2`,
  );
  free = await Promise.all(references.map((r) => db.dataSource.manager.findOneByOrFail(Member, { externalId: r.externalId })));
  expect(free).toHaveLength(2);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await harness?.stop();
});

async function signIn(email: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', demoPassword);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL(`${base}/admin`);
  return page;
}

async function signOut(page: Page) {
  await page.goto(`${base}/admin/logout`);
  await page.close();
}

async function memberPage(page: Page, member: Member): Promise<string> {
  await page.goto(`${base}/admin/resources/Member/records/${member.id}/show`);
  await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('Personal data');
  return page.locator('body').innerText();
}

const post = (page: Page, path: string) =>
  page.evaluate(async (path) => (await fetch(path, { method: 'POST', body: new FormData() })).status, path);

describe("a member's request received by mail", () => {
  it('lets a care agent download the data Tessera holds about a member, and writes it to the audit log', async () => {
    const member = free[0]!;
    const page = await signIn('care@tessera.demo');
    await memberPage(page, member);
    await page
      .getByRole('button', { name: 'Export data' })
      .or(page.getByRole('link', { name: 'Export data' }))
      .first()
      .click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('Download the JSON');
    await page.screenshot({ path: join(artifactsDir, 'member-export-data.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the JSON' }).click()]);
    expect(download.suggestedFilename()).toBe(`tessera-member-${member.externalId}.json`);
    const data = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(data.profile).toMatchObject({
      reference: member.externalId,
      email: member.email,
      phone: member.phone,
      displayName: member.displayName,
    });
    expect(data.history.length).toBeGreaterThan(0);
    const [entry] = await db.dataSource.query(
      `SELECT "staffEmail", after FROM audit_entry WHERE action = 'exportData' AND "recordId" = $1`,
      [member.id],
    );
    expect(entry).toEqual({ staffEmail: 'care@tessera.demo', after: { exported: 'member data (JSON)' } });
    await signOut(page);
  });

  it('erases a member once a supervisor approves the care agent’s request: four eyes, in words, with the result on the member’s page', async () => {
    const member = free[0]!;
    const points = (await memberSummary(db.dataSource.manager, member.id)).balance.available;
    const agent = await signIn('care@tessera.demo');
    expect(await memberPage(agent, member)).toContain('held');
    await agent
      .getByRole('button', { name: 'Erase personal data' })
      .or(agent.getByRole('link', { name: 'Erase personal data' }))
      .first()
      .click();
    await expect.poll(() => agent.locator('body').innerText(), { timeout: 15_000 }).toContain('A care supervisor approves it');
    await agent.fill('textarea[name=reason]', 'no');
    await agent.getByRole('button', { name: 'Ask for the erasure' }).click();
    await expect
      .poll(() => agent.locator('[data-testid="field-reason"]').innerText(), { timeout: 15_000 })
      .toContain('say how the member asked, and when');
    await agent.fill('textarea[name=reason]', 'Letter of 2 May asking to delete the account');
    await agent.screenshot({ path: join(artifactsDir, 'member-erasure-request.png'), fullPage: true });
    await agent.getByRole('button', { name: 'Ask for the erasure' }).click();
    await expect.poll(() => agent.locator('body').innerText(), { timeout: 15_000 }).toContain('waiting for a care supervisor');
    const request = await db.dataSource.manager.findOneByOrFail(ErasureRequest, { memberId: member.id });
    expect(request).toMatchObject({ status: 'awaiting_approval', requestedBy: 'care@tessera.demo' });
    expect(await memberPage(agent, member)).toContain('Erasure asked for by care@tessera.demo');
    // The agent cannot approve their own request, even by asking the server directly.
    expect(await post(agent, `/admin/api/resources/ErasureRequest/records/${request.id}/approve`)).toBe(403);
    await signOut(agent);

    const supervisor = await signIn('supervisor@tessera.demo');
    await supervisor.goto(`${base}/admin/resources/ErasureRequest`);
    await expect.poll(() => supervisor.locator('table').innerText(), { timeout: 15_000 }).toContain('Letter of 2 May');
    await supervisor.goto(`${base}/admin/resources/ErasureRequest/records/${request.id}/show`);
    await supervisor
      .getByRole('button', { name: 'Approve' })
      .or(supervisor.getByRole('link', { name: 'Approve' }))
      .first()
      .click();
    const confirm = supervisor.getByRole('button', { name: 'Confirm' });
    await expect.poll(() => confirm.count(), { timeout: 15_000 }).toBe(1);
    await supervisor.screenshot({ path: join(artifactsDir, 'member-erasure-approve.png'), fullPage: true });
    await confirm.click();
    await expect
      .poll(() => supervisor.locator('body').innerText(), { timeout: 15_000 })
      .toContain(`Erased: ${new Intl.NumberFormat('en').format(points)} points forfeited`);

    const erased = await db.dataSource.manager.findOneByOrFail(Member, { id: member.id });
    expect(erased).toMatchObject({ email: null, phone: null, displayName: null });
    const shown = await memberPage(supervisor, erased);
    expect(shown).toContain('Erased on');
    expect(shown).toContain('asked for by care@tessera.demo, approved by supervisor@tessera.demo');
    expect(shown).not.toContain(member.email!);
    await supervisor.screenshot({ path: join(artifactsDir, 'member-erased.png'), fullPage: true });
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
    await signOut(supervisor);
  });

  it('never offers a supervisor the approval of their own request', async () => {
    const member = free[1]!;
    const supervisor = await signIn('supervisor@tessera.demo');
    await memberPage(supervisor, member);
    await supervisor
      .getByRole('button', { name: 'Erase personal data' })
      .or(supervisor.getByRole('link', { name: 'Erase personal data' }))
      .first()
      .click();
    await supervisor.fill('textarea[name=reason]', 'Email of 4 May, signed by the member');
    await supervisor.getByRole('button', { name: 'Ask for the erasure' }).click();
    await expect.poll(() => supervisor.locator('body').innerText(), { timeout: 15_000 }).toContain('waiting for a care supervisor');
    const request = await db.dataSource.manager.findOneByOrFail(ErasureRequest, { memberId: member.id });
    await supervisor.goto(`${base}/admin/resources/ErasureRequest/records/${request.id}/show`);
    await expect.poll(() => supervisor.locator('body').innerText(), { timeout: 15_000 }).toContain('Email of 4 May');
    expect(
      await supervisor
        .getByRole('button', { name: 'Approve' })
        .or(supervisor.getByRole('link', { name: 'Approve' }))
        .count(),
    ).toBe(0);
    expect(await post(supervisor, `/admin/api/resources/ErasureRequest/records/${request.id}/approve`)).toBe(403);
    expect((await db.dataSource.manager.findOneByOrFail(Member, { id: member.id })).email).toBe(member.email);
    await signOut(supervisor);
  });
});
