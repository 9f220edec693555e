import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Member, MemberLink, MemberMessage, Partner } from '../entities/index.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { serveBackOffice } from './support/back-office.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import type { TestDatabase } from './support/database.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * Care works from a member's 360 page: found from the search box every back-office page has (by
 * email in any case, phone in any spelling, a store's id for them, their name), their balance,
 * holds, adjustments and history on one page, and points adjusted from there, the member told by
 * email with the reason.
 */
let harness: WorkerHarness;
let db: TestDatabase;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
let dmitri: Member;

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'member-360-test'), launchBrowser()]);
  db = harness.db;
  await seedDemoProgram(db.dataSource);
  dmitri = await db.dataSource.manager.findOneByOrFail(Member, { externalId: 'demo-013' });
  // BookBarn knows Dmitri by an id of its own: what BookBarn's customer service would name him by.
  const bookbarn = await db.dataSource.manager.findOneByOrFail(Partner, { code: 'bookbarn' });
  await db.dataSource.manager.insert(MemberLink, {
    partnerId: bookbarn.id,
    customerId: 'BB-Reader-7731',
    memberId: dmitri.id,
    cause: 'store',
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
  await page.setViewportSize({ width: 1400, height: 1000 });
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

/** A screenshot of the whole page: AdminJS scrolls inside its layout, so the window is made as tall as what it holds. */
async function snapshot(page: Page, name: string) {
  const height = await page.evaluate(() => Math.max(...[...document.querySelectorAll('body *')].map((e) => e.scrollHeight)));
  await page.setViewportSize({ width: 1400, height: Math.min(Math.max(height + 100, 1000), 5000) });
  await page.screenshot({ path: join(artifactsDir, name) });
  await page.setViewportSize({ width: 1400, height: 1000 });
}

const available = async (member: Member) => (await memberSummary(db.dataSource.manager, member.id)).balance.available;
const number = (n: number) => new Intl.NumberFormat('en').format(n);
const mailTo = async (address: string) => (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(address));
const bodyText = (page: Page) => page.locator('body').innerText();

/** What the back office's search answers the signed-in staff member (status, and the references found). */
async function find(page: Page, text: string) {
  return page.evaluate(async (text) => {
    const response = await fetch(`/admin/api/resources/Member/actions/find?q=${encodeURIComponent(text)}`);
    const body = response.ok ? await response.json() : null;
    return {
      status: response.status,
      found: ((body?.matches ?? []) as { reference: string; matchedBy: { how: string; store?: string } }[]).map((m) => ({
        reference: m.reference,
        ...m.matchedBy,
      })),
    };
  }, text);
}

async function memberPageOf(page: Page, member: Member) {
  await page.goto(`${base}/admin/resources/Member/records/${member.id}/show`);
  await expect.poll(() => bodyText(page), { timeout: 15_000 }).toContain('Care adjustments');
  await page.locator('[data-testid="member-history"] tbody tr').first().waitFor({ timeout: 15_000 });
}

async function adjustFromMemberPage(page: Page, points: number, reason: string) {
  await page
    .getByRole('button', { name: 'Adjust points' })
    .or(page.getByRole('link', { name: 'Adjust points' }))
    .first()
    .click();
  const form = page.locator('[data-testid="adjust-points-form"]');
  await form.waitFor({ timeout: 15_000 });
  await form.locator('input[name=points]').fill(String(points));
  await form.locator('textarea[name=reason]').fill(reason);
  return form;
}

describe("care's member 360", () => {
  it('finds a member by an upper-case email from the search box of any page, adjusts points from their page, and the member is emailed the reason', async () => {
    const before = await available(dmitri);
    const page = await signIn('care@tessera.demo');
    // Any page: here, the list of redemptions.
    await page.goto(`${base}/admin/resources/Redemption`);
    const box = page.locator('[data-testid="member-search"] input');
    await box.waitFor({ timeout: 30_000 });
    await box.fill('DMITRI.SILVA.13@MEMBERS.DEMO');
    await box.press('Enter');
    const results = page.locator('[data-testid="member-search-results"]');
    await expect.poll(() => results.innerText().catch(() => ''), { timeout: 15_000 }).toContain('Dmitri Silva');
    const listed = await results.innerText();
    expect(listed).toContain('demo-013');
    expect(listed).toContain('dmitri.silva.13@members.demo');
    expect(listed).toContain('BookBarn Online knows them as BB-Reader-7731');
    expect(listed).not.toContain('Ada');
    await snapshot(page, 'member-360-search.png');

    // One click to the member's page.
    await results.getByRole('link', { name: 'Dmitri Silva' }).click();
    await page.waitForURL(`${base}/admin/resources/Member/records/${dmitri.id}/show`);
    await page.locator('[data-testid="member-history"] tbody tr').first().waitFor({ timeout: 15_000 });
    const shown = await bodyText(page);
    expect(shown).toContain(`${number(before)} available`);
    expect(shown).toContain('Pending holds');
    expect(shown).toContain('No points held');
    expect(shown).toContain('Care adjustments');
    expect(shown).toContain('None yet');
    expect(shown).toContain('BookBarn Online knows them as BB-Reader-7731');
    await snapshot(page, 'member-360-page.png');

    const form = await adjustFromMemberPage(page, 30, 'Points missing from your BookBarn receipt of 2 May');
    // The form is the member's: their name, reference and balance, nothing to type to name them.
    const formText = await form.innerText();
    expect(formText).toContain('Dmitri Silva');
    expect(formText).toContain('demo-013');
    expect(formText).toContain(`${number(before)} points available`);
    await snapshot(page, 'member-360-adjust.png');
    await form.getByRole('button', { name: 'Adjust points' }).click();
    await expect.poll(() => bodyText(page), { timeout: 15_000 }).toContain('Applied: 30 points');
    await page.waitForURL(`${base}/admin/resources/Member/records/${dmitri.id}/show`);
    expect(await available(dmitri)).toBe(before + 30);
    await expect.poll(() => bodyText(page), { timeout: 15_000 }).toContain(`${number(before + 30)} available`);
    const after = await bodyText(page);
    expect(after).toMatch(/\+30 points — applied — Points missing from your BookBarn receipt of 2 May — asked by care@tessera\.demo/);
    const newest = () => page.locator('[data-testid="member-history"] tbody tr').first().innerText();
    await expect.poll(newest, { timeout: 15_000 }).toMatch(/adjust\s+\+30\s+posted/);
    expect(await newest()).toContain('Points missing from your BookBarn receipt of 2 May');
    await snapshot(page, 'member-360-adjusted.png');

    // The member is told, by email, with the reason.
    await expect.poll(() => mailTo(dmitri.email!), { timeout: 30_000 }).toHaveLength(1);
    const [mail] = await mailTo(dmitri.email!);
    expect(mail!.subject).toBe('30 points added to your Tessera balance');
    expect(mail!.text).toContain('Hello Dmitri Silva');
    expect(mail!.text).toContain('Points missing from your BookBarn receipt of 2 May');
    expect(mail!.text).not.toContain('care@tessera.demo');
    await signOut(page);
  });

  it('finds members by phone in another spelling, by the id a store knows them by, and by name', async () => {
    const page = await signIn('care@tessera.demo');
    expect(await find(page, '0031 6 1000 0013')).toEqual({ status: 200, found: [{ reference: 'demo-013', how: 'phone' }] });
    expect(await find(page, '(+31) 6-10-00-00-13')).toEqual({ status: 200, found: [{ reference: 'demo-013', how: 'phone' }] });
    expect(await find(page, 'bb-reader-7731')).toEqual({
      status: 200,
      found: [{ reference: 'demo-013', how: 'store_id', store: 'BookBarn Online' }],
    });
    const byName = await find(page, 'silva');
    expect(byName.found.length).toBeGreaterThan(1);
    expect(byName.found.every((m) => m.how === 'name')).toBe(true);
    // From the search box, the page says how each was found.
    await page.locator('[data-testid="member-search"] input').fill('BB-READER-7731');
    await page.locator('[data-testid="member-search"] input').press('Enter');
    const results = page.locator('[data-testid="member-search-results"]');
    await expect.poll(() => results.innerText().catch(() => ''), { timeout: 15_000 }).toContain("found by BookBarn Online's id for them");
    await page.locator('[data-testid="member-search"] input').fill('nobody@nowhere.test');
    await page.locator('[data-testid="member-search"] input').press('Enter');
    await expect
      .poll(() => results.innerText().catch(() => ''), { timeout: 15_000 })
      .toContain('No member found for "nobody@nowhere.test"');
    await snapshot(page, 'member-360-search-none.png');
    await signOut(page);
  });

  it('pages and filters the history by kind, partner and date, with partner names', async () => {
    const page = await signIn('care@tessera.demo');
    const busy = await db.dataSource.manager.findOneByOrFail(Member, { externalId: 'demo-013' });
    await memberPageOf(page, busy);
    const history = page.locator('[data-testid="member-history"]');
    const rows = () => history.locator('tbody tr').allInnerTexts();
    const total = Number(
      (
        await db.dataSource.query(
          `SELECT COUNT(*) AS n FROM ledger_transfer t JOIN ledger_account a ON a.id IN (t."debitAccountId", t."creditAccountId")
          WHERE a."memberId" = $1 AND t.phase IN ('single', 'pending')`,
          [busy.id],
        )
      )[0].n,
    );
    expect(await history.innerText()).toContain(`${total} movements`);

    await history.getByLabel('Kind').selectOption('earn');
    await expect.poll(async () => (await rows()).every((row) => /\tearn\t/.test(row)), { timeout: 15_000 }).toBe(true);
    expect((await rows()).length).toBeGreaterThan(0);
    expect((await rows()).every((row) => /Koffie Corner|BookBarn Online|FitApp/.test(row))).toBe(true);

    await history.getByLabel('Partner').selectOption({ label: 'BookBarn Online' });
    await expect
      .poll(async () => (await rows()).every((row) => row.includes('BookBarn Online') && /\tearn\t/.test(row)), { timeout: 15_000 })
      .toBe(true);
    await snapshot(page, 'member-360-history-filtered.png');

    // Dates: nothing before the program began.
    await history.getByLabel('Kind').selectOption('');
    await history.getByLabel('Partner').selectOption('');
    await history.getByLabel('To').fill('2001-01-01');
    await expect.poll(() => history.innerText(), { timeout: 15_000 }).toContain('No movement matches');
    await history.getByLabel('To').fill('');

    // Pages of 10, newest first.
    await expect.poll(async () => (await rows()).length, { timeout: 15_000 }).toBe(Math.min(total, 10));
    if (total > 10) {
      const first = await rows();
      await history.getByRole('button', { name: 'Older' }).click();
      await expect.poll(async () => (await rows())[0], { timeout: 15_000 }).not.toBe(first[0]);
      expect(await history.innerText()).toContain('Page 2');
    }
    await signOut(page);
  });

  it('shows the supervisor who approves the member, their balance and the balance after; the member is emailed once applied, not when rejected', async () => {
    const before = await available(dmitri);
    const agent = await signIn('care@tessera.demo');
    await memberPageOf(agent, dmitri);
    const form = await adjustFromMemberPage(agent, 1_000, 'Goodwill for the parcel lost in March');
    await form.getByRole('button', { name: 'Adjust points' }).click();
    await expect.poll(() => bodyText(agent), { timeout: 15_000 }).toContain('Waiting for a supervisor');
    await agent.waitForURL(`${base}/admin/resources/Member/records/${dmitri.id}/show`);
    await expect
      .poll(() => bodyText(agent), { timeout: 15_000 })
      .toMatch(/\+1,000 points — awaiting approval — Goodwill for the parcel lost in March/);
    // A second one, which the supervisor rejects.
    await memberPageOf(agent, dmitri);
    await (
      await adjustFromMemberPage(agent, 700, 'Second goodwill, asked twice by mistake')
    )
      .getByRole('button', { name: 'Adjust points' })
      .click();
    await expect.poll(() => bodyText(agent), { timeout: 15_000 }).toContain('Waiting for a supervisor');
    await signOut(agent);
    const [goodwill, twice] = (await db.dataSource.query(
      `SELECT id FROM care_adjustment WHERE "memberExternalId" = 'demo-013' AND status = 'awaiting_approval' ORDER BY points DESC`,
    )) as { id: string }[];

    const supervisor = await signIn('supervisor@tessera.demo');
    await supervisor.goto(`${base}/admin/resources/CareAdjustment`);
    await expect.poll(() => supervisor.locator('table').innerText(), { timeout: 15_000 }).toContain('Dmitri Silva (demo-013)');
    const listed = await supervisor.locator('table').innerText();
    expect(listed).toContain(`${number(before)} → ${number(before + 1_000)}`);
    await snapshot(supervisor, 'member-360-approvals.png');
    await supervisor.goto(`${base}/admin/resources/CareAdjustment/records/${goodwill!.id}/show`);
    await expect.poll(() => bodyText(supervisor), { timeout: 15_000 }).toContain('Dmitri Silva (demo-013)');
    const approval = await bodyText(supervisor);
    expect(approval).toContain(`${number(before)} points available now`);
    expect(approval).toContain(`${number(before + 1_000)} points available once approved`);
    await snapshot(supervisor, 'member-360-approval.png');
    // The member's name is a link to their page.
    await supervisor.getByRole('link', { name: 'Dmitri Silva (demo-013)' }).first().click();
    await supervisor.waitForURL(`${base}/admin/resources/Member/records/${dmitri.id}/show`);
    await supervisor.goto(`${base}/admin/resources/CareAdjustment/records/${goodwill!.id}/show`);
    await supervisor
      .getByRole('link', { name: 'Approve' })
      .or(supervisor.getByRole('button', { name: 'Approve' }))
      .first()
      .click();
    const confirm = supervisor.getByRole('button', { name: 'Confirm' });
    if (await confirm.count()) await confirm.click();
    await expect.poll(() => available(dmitri), { timeout: 20_000 }).toBe(before + 1_000);

    await supervisor.goto(`${base}/admin/resources/CareAdjustment/records/${twice!.id}/show`);
    await supervisor
      .getByRole('link', { name: 'Reject' })
      .or(supervisor.getByRole('button', { name: 'Reject' }))
      .first()
      .click();
    const confirmReject = supervisor.getByRole('button', { name: 'Confirm' });
    if (await confirmReject.count()) await confirmReject.click();
    await expect
      .poll(async () => (await db.dataSource.query(`SELECT status FROM care_adjustment WHERE id = $1`, [twice!.id]))[0].status, {
        timeout: 20_000,
      })
      .toBe('rejected');
    await signOut(supervisor);

    await expect
      .poll(async () => (await mailTo(dmitri.email!)).map((m) => m.subject), { timeout: 30_000 })
      .toContain('1,000 points added to your Tessera balance');
    const mail = (await mailTo(dmitri.email!)).find((m) => m.subject === '1,000 points added to your Tessera balance')!;
    expect(mail.text).toContain('Goodwill for the parcel lost in March');
    const told = await db.dataSource.manager.findBy(MemberMessage, { memberId: dmitri.id, kind: 'care_adjustment' });
    expect(told.map((m) => m.occasion).sort()).not.toContain(`adjustment:${twice!.id}`);
    expect(told.map((m) => m.occasion)).toContain(`adjustment:${goodwill!.id}`);
    expect((await mailTo(dmitri.email!)).some((m) => m.text.includes('Second goodwill'))).toBe(false);
  }, 150_000);

  it("keeps a partner user away from the search and members' pages", async () => {
    const page = await signIn('partner@tessera.demo');
    await page.goto(`${base}/admin/resources/Invoice`);
    await page.locator('table').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="member-search"]').count()).toBe(0);
    expect(await find(page, 'dmitri.silva.13@members.demo')).toEqual({ status: 403, found: [] });
    expect((await page.goto(`${base}/admin/resources/Member/actions/find?q=silva`))?.status()).toBe(403);
    const statuses = await page.evaluate(async (id) => {
      const status = async (path: string, method = 'GET') =>
        (await fetch(path, { method, body: method === 'POST' ? new FormData() : undefined })).status;
      return {
        show: await status(`/admin/api/resources/Member/records/${id}/show`),
        history: await status(`/admin/api/resources/Member/records/${id}/history`),
        adjust: await status(`/admin/api/resources/Member/records/${id}/adjustPoints`, 'POST'),
      };
    }, dmitri.id);
    expect(statuses).toEqual({ show: 403, history: 403, adjust: 403 });
    await signOut(page);
  });
});
