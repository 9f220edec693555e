import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { AuditEntry, Campaign, EarningRule, ProgramSettings } from '../entities/index.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { artifactsDir, launchBrowser, signInToBackOffice } from './support/browser.js';
import { serveBackOffice } from './support/back-office.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/** A program manager builds a campaign step by step in the back office, previews it and schedules it. */
let harness: WorkerHarness;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
const password = 'a-long-enough-password';

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'campaign-builder-test'), launchBrowser()]);
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  const { partner } = await p.partner(1_000_000);
  // A week of kitchen sales: the builder offers the category and the preview has a pace to go by.
  for (let day = 1; day <= 7; day++) {
    const at = new Date(Date.now() - day * 86_400_000);
    await inTransaction(db, (m) =>
      recordEvent(m, p.ledger, {
        partnerId: partner.id,
        member: { externalId: `cook-${day}` },
        type: 'purchase',
        amountCents: 3_000,
        lines: [{ reference: 'PAN', category: 'kitchen', quantity: 1, unitPriceCents: 3_000 }],
        occurredAt: at,
        receivedAt: at,
      }),
    );
  }
  await db.query(
    `INSERT INTO staff_user (email, name, role, "passwordHash") VALUES ('pm@tessera.test', 'Pat Manager', 'program_manager', $1)`,
    [await hashPassword(password)],
  );
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

/** A wall-clock time the browser's datetime fields take, `days` from now (the browser runs in UTC here). */
const local = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 16);

describe('the campaign builder', () => {
  it('builds a category booster for next week with a budget in under ten steps, previews it and schedules it', async () => {
    const page = await signIn('pm@tessera.test');
    await page.goto(`${base}/admin/resources/Campaign/actions/new`);
    await page.getByLabel('Name members and staff will see').fill('Kitchen week'); // 1
    await page.getByRole('button', { name: 'Next' }).click(); // 2: everyone
    await expect.poll(() => page.getByLabel('Category (seen in the last 90 days)').inputValue()).toBe('kitchen');
    await page.getByRole('button', { name: 'Next' }).click(); // 3: a category, kitchen
    await expect.poll(() => page.getByLabel('Multiplier (2 doubles the points)').inputValue()).toBe('2');
    await page.getByRole('button', { name: 'Next' }).click(); // 4: ×2
    await page.getByLabel(/^Starts/).fill(local(7)); // 5
    await page.getByLabel(/^Ends/).fill(local(14)); // 6
    await page.getByLabel(/^Budget in points/).fill('500'); // 7
    await page.getByRole('button', { name: 'Next' }).click(); // 8
    const preview = page.getByTestId('campaign-preview');
    await expect.poll(() => preview.innerText(), { timeout: 20_000 }).toContain('would earn 90 points, 40 of them from this campaign');
    expect(await preview.innerText()).toContain('Kitchen week +40 (booster ×2 on 1 point per euro for its kitchen share)');
    expect(await preview.innerText()).toMatch(/about \d+ points a day, spending its budget in about \d+ days/);
    expect(await page.getByTestId('campaign-summary').innerText()).toContain('When the member: buys in kitchen');
    await page.screenshot({ path: join(artifactsDir, 'campaign-builder-review.png'), fullPage: true });
    await page.getByRole('button', { name: 'Schedule' }).click(); // 9
    await page.waitForURL(/\/admin\/resources\/Campaign\/records\/[^/]+\/show/);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('scheduled');
    await page.screenshot({ path: join(artifactsDir, 'campaign-scheduled.png'), fullPage: true });

    const campaign = await harness.db.dataSource.manager.findOneByOrFail(Campaign, { name: 'Kitchen week' });
    expect(campaign).toMatchObject({ status: 'scheduled', budgetPoints: 500, trigger: { kind: 'category', category: 'kitchen' } });
    expect(await harness.db.dataSource.manager.countBy(AuditEntry, { resource: 'Campaign', recordId: campaign.id })).toBe(1);
    await page.goto(`${base}/admin/resources/Campaign`);
    await expect.poll(() => page.locator('body').innerText()).toContain('Kitchen week');
    expect(await page.locator('body').innerText()).toContain('0 of 500 points');
    await page.screenshot({ path: join(artifactsDir, 'campaign-list.png'), fullPage: true });
    await page.close();
  });

  it('names what is wrong under the field and saves nothing', async () => {
    const before = await harness.db.dataSource.manager.count(Campaign);
    const page = await signIn('pm@tessera.test');
    await page.goto(`${base}/admin/resources/Campaign/actions/new`);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Multiplier (2 doubles the points)').fill('-3');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel(/^Starts/).fill(local(7));
    await page.getByLabel(/^Ends/).fill(local(3));
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Save as draft' }).click();
    // Back at the first step with a fault: the name.
    await expect.poll(() => page.locator('body').innerText()).toContain('give the campaign a name of 1 to 100 characters');
    await page.screenshot({ path: join(artifactsDir, 'campaign-builder-refused.png'), fullPage: true });
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.locator('body').innerText()).toContain('a multiplier greater than 1, at most 10');
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.locator('body').innerText()).toContain('must be after the start');
    expect(await harness.db.dataSource.manager.count(Campaign)).toBe(before);
    await page.close();
  });
});
