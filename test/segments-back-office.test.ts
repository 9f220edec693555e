import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { AuditEntry, Campaign, EarningRule, Member, ProgramSettings, Segment, Tier } from '../entities/index.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { eraseMember } from '../loyalty/member-erasure.js';
import { serveBackOffice } from './support/back-office.js';
import { artifactsDir, launchBrowser, signInToBackOffice } from './support/browser.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/** A program manager saves a segment, sees its size, exports it and aims a campaign at it. */
let harness: WorkerHarness;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
const password = 'a-long-enough-password';

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'segments-test'), launchBrowser()]);
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await db.manager.insert(Tier, [
    { code: 'bronze', name: 'Bronze', threshold: 0 },
    { code: 'silver', name: 'Silver', threshold: 50 },
  ]);
  const { partner: north } = await p.partner(1_000_000, 'north');
  const { partner: south } = await p.partner(1_000_000, 'south');
  const buy = (externalId: string, partnerId: string, euros: number) =>
    inTransaction(db, (m) =>
      recordEvent(m, p.ledger, {
        partnerId,
        member: { externalId },
        type: 'purchase',
        amountCents: euros * 100,
        lines: [{ reference: 'loaf', category: 'bakery', quantity: 1, unitPriceCents: euros * 100 }],
        occurredAt: new Date(),
        receivedAt: new Date(),
      }),
    );
  // Alice and Erin are silver at North (Erin then erased); Bob is bronze at South; Carol never bought.
  for (const [name, shop, euros] of [
    ['alice', north.id, 120],
    ['erin', north.id, 200],
    ['bob', south.id, 10],
  ] as const) {
    await p.member(name, shop);
    await buy(name, shop, euros);
  }
  await p.member('carol');
  await db.manager.update(Member, { externalId: 'alice' }, { displayName: '=cmd|calc', phone: '+32470000001' });
  const erin = await db.manager.findOneByOrFail(Member, { externalId: 'erin' });
  await inTransaction(db, (m) => eraseMember(m, p.ledger, { memberId: erin.id, requestedBy: 'member', reason: 'asked' }));
  for (const [email, role] of [
    ['pm@tessera.test', 'program_manager'],
    ['analyst@tessera.test', 'analyst'],
  ])
    await db.query(`INSERT INTO staff_user (email, name, role, "passwordHash") VALUES ($1, $1, $2, $3)`, [
      email,
      role,
      await hashPassword(password),
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

/** A form posted from the back office's own page, as its components post them. */
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

describe('segments in the back office', () => {
  it('are made from names, refused under the field, counted live, exported, and offered to campaigns by name and size', async () => {
    const db = harness.db.dataSource;
    const page = await signIn('pm@tessera.test');
    await page.goto(`${base}/admin/resources/Segment/actions/new`);
    await page.getByLabel('Name', { exact: true }).fill('Silver regulars of North');
    await page.getByTestId('tierCodes').getByLabel('Silver').check();
    await page.getByTestId('visitedPartnerIds').getByLabel('Shop north').check();
    // Nonsense first: a balance range upside down, spend that is not money.
    await page.getByLabel('Points available: at least').fill('100');
    await page.getByLabel('Points available: at most').fill('10');
    await page.getByLabel('Spent: at least (€)').fill('lots');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => text(page)).toContain('must be at least the minimum');
    expect(await text(page)).toContain('an amount in euros, like 49.90');
    await page.screenshot({ path: join(artifactsDir, 'segment-form-refused.png'), fullPage: true });
    expect(await db.manager.count(Segment)).toBe(0);
    // What no form offers, sent all the same: refused by field, no database error, nothing saved.
    const nonsense = await post(page, '/admin/api/resources/Segment/actions/new', {
      segment: JSON.stringify({ name: 'bad\u0000name', birthdayMonth: '13', tierCodes: ['platinum'], balanceMin: '9', balanceMax: '1' }),
    });
    expect(JSON.parse(nonsense.body).errors).toEqual({
      name: { message: 'remove the invisible characters' },
      birthdayMonth: { message: 'a month from the list (1 to 12)' },
      tierCodes: { message: 'choose tiers from the list' },
      balanceMax: { message: 'must be at least the minimum' },
    });
    expect(await db.manager.count(Segment)).toBe(0);

    await page.getByLabel('Points available: at least').fill('');
    await page.getByLabel('Points available: at most').fill('');
    await page.getByLabel('Spent: at least (€)').fill('50');
    await page.getByLabel('Birthday in').selectOption({ label: 'Any month' });
    await page.getByRole('button', { name: 'Count members' }).click();
    await expect.poll(() => page.getByTestId('segment-size').innerText()).toBe('1 member is in this segment now.');
    expect(await db.manager.count(Segment)).toBe(0);
    await page.screenshot({ path: join(artifactsDir, 'segment-form-counted.png'), fullPage: true });
    await page.getByLabel('Name', { exact: true }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'segment-form.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/resources\/Segment\/records\/[^/]+\/show/);
    await expect.poll(() => text(page)).toContain('1 member now');
    expect(await text(page)).toContain('Members in Silver, visited Shop north, spent at least €50.00 in the last 90 days');
    await page.screenshot({ path: join(artifactsDir, 'segment-show.png'), fullPage: true });
    const segment = await db.manager.findOneByOrFail(Segment, { name: 'Silver regulars of North' });
    expect(segment.conditions).toMatchObject({ tierCodes: ['silver'], spendMinCents: 5_000, spendDays: 90 });

    // Changed: the form comes back as it was saved; a narrower segment holds nobody yet.
    await page.goto(`${base}/admin/resources/Segment/records/${segment.id}/edit`);
    await expect.poll(() => page.getByLabel('Spent: at least (€)').inputValue()).toBe('50.00');
    expect(await page.getByTestId('tierCodes').getByLabel('Silver').isChecked()).toBe(true);
    await page.getByLabel('Birthday in').selectOption({ label: 'March' });
    await page.getByRole('button', { name: 'Count members' }).click();
    await expect.poll(() => page.getByTestId('segment-size').innerText()).toBe('0 members are in this segment now.');
    await page.getByLabel('Birthday in').selectOption({ label: 'Any month' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/resources\/Segment\/records\/[^/]+\/show/);

    await page.goto(`${base}/admin/resources/Segment`);
    await expect.poll(() => text(page)).toContain('1 member now');
    await page.screenshot({ path: join(artifactsDir, 'segment-list.png'), fullPage: true });

    // The export: Alice only (Erin was erased), with a name a spreadsheet would run made harmless.
    await page.goto(`${base}/admin/resources/Segment/records/${segment.id}/export`);
    await expect.poll(() => text(page)).toContain('1 member is in it now');
    await page.screenshot({ path: join(artifactsDir, 'segment-export.png'), fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the members (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('tessera-segment-silver-regulars-of-north.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('reference,name,email,phone,tier,balance (points),member since,last activity');
    expect(lines[1]).toMatch(/^alice,'=cmd\|calc,alice@example\.test,'\+32470000001,Silver,120,\d{4}-\d\d-\d\d,\d{4}-\d\d-\d\d$/);
    expect(lines).toHaveLength(3);
    expect(await db.manager.countBy(AuditEntry, { resource: 'Segment', recordId: segment.id })).toBe(3);

    // The campaign builder's audience step: the segment by name and size, with what "live" means.
    await page.goto(`${base}/admin/resources/Campaign/actions/new`);
    await page.getByLabel('Name members and staff will see').fill('Silver bread days');
    await page.getByLabel('Who is it for?').selectOption('segment');
    const picker = page.getByTestId('segment-picker');
    await expect.poll(() => picker.innerText()).toContain('Silver regulars of North — 1 member today');
    expect(await picker.innerText()).toContain('each member is looked at when their purchase or action is recorded');
    await page.screenshot({ path: join(artifactsDir, 'campaign-builder-segment.png'), fullPage: true });
    for (let step = 0; step < 4; step++) await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.getByTestId('campaign-preview').innerText(), { timeout: 20_000 }).toContain('Audience today: 1 members');
    expect(await page.getByTestId('campaign-summary').innerText()).toContain('For: members of the segment Silver regulars of North');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/admin\/resources\/Campaign\/records\/[^/]+\/show/);
    const campaign = await db.manager.findOneByOrFail(Campaign, { name: 'Silver bread days' });
    expect(campaign.audience).toEqual({ kind: 'segment', segmentId: segment.id });
    await page.close();
  });

  it('are read by analysts, who may not export their members nor change them', async () => {
    const page = await signIn('analyst@tessera.test');
    await page.goto(`${base}/admin/resources/Segment`);
    await expect.poll(() => text(page)).toContain('Silver regulars of North');
    const segment = await harness.db.dataSource.manager.findOneByOrFail(Segment, { name: 'Silver regulars of North' });
    const exported = await post(page, `/admin/api/resources/Segment/records/${segment.id}/export`, {});
    expect(exported.status).toBe(403);
    expect(exported.body).not.toContain('alice@example.test');
    const created = await post(page, '/admin/api/resources/Segment/actions/new', { segment: JSON.stringify({ name: 'Sneaky' }) });
    expect(created.status).toBe(403);
    expect(await harness.db.dataSource.manager.countBy(Segment, { name: 'Sneaky' })).toBe(0);
    await page.close();
  });
});
