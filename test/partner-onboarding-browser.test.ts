import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { EarningRule, Partner, PointPackage, ProgramSettings } from '../entities/index.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { serveBackOffice } from './support/back-office.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * Acceptance: an operator onboards a partner in one form; its user sets a password through the
 * emailed link and signs in; the operator sells it a package; it gets an API key in a dialog and
 * issues points with it through the API.
 */
let harness: WorkerHarness;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
const operatorPassword = 'a-long-enough-password';
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `partner-onboarding-${name}.png`), fullPage: true });

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'partner-onboarding-browser-test'), launchBrowser()]);
  const db = harness.db.dataSource;
  await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, invoiceIssuer: 'Tessera Coalition B.V.', vatRatePercent: 21 });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await db.manager.insert(PointPackage, { code: 'starter', name: 'Starter 100k', points: 100_000, priceCents: 121_000, currency: 'EUR' });
  await db.query(
    `INSERT INTO staff_user (email, name, role, "passwordHash") VALUES ('ops@tessera.test', 'Olga Operator', 'operator_admin', $1)`,
    [await hashPassword(operatorPassword)],
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

async function signIn(email: string, password: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL(`${base}/admin`);
  return page;
}

async function choose(page: Page, property: string, option: string) {
  await page.locator(`[data-testid="property-edit-${property}"]`).click();
  await page.getByText(option, { exact: true }).click();
}

async function invitationTo(email: string) {
  for (let waited = 0; waited < 30_000; waited += 250) {
    const mail = (await readInbox(harness.sink.directory)).find((m) => m.to.includes(email));
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no invitation reached ${email}`);
}

describe('onboarding a partner', () => {
  it('creates it in one form, invites its user, sells it a package, and it issues points with its new key', async () => {
    // 1. The operator fills one form: partner, first point of sale, user.
    const ops = await signIn('ops@tessera.test', operatorPassword);
    await ops.goto(`${base}/admin/resources/Partner/actions/new`);
    await ops.locator('[data-testid="partner-onboarding"]').waitFor({ timeout: 20_000 });
    await ops.fill('input[name=name]', 'Bloem & Zo');
    await ops.fill('input[name=code]', 'bloem');
    await choose(ops, 'kind', 'Physical store');
    await ops.fill('input[name=contactEmail]', 'books@bloem.test');
    await ops.fill('input[name=pointOfSaleName]', 'Bloem Utrecht');
    await ops.fill('input[name=pointOfSaleCode]', 'utrecht 1');
    await choose(ops, 'pointOfSaleChannel', 'Store');
    await ops.fill('input[name=inviteName]', 'Bea Bloem');
    await ops.fill('input[name=inviteEmail]', 'OPS@tessera.test');
    await ops.getByRole('button', { name: 'Save' }).click();
    // What the server refuses shows under its field, and nothing is saved.
    const posCode = ops.locator('[data-testid="property-edit-pointOfSaleCode"]');
    await expect.poll(() => posCode.innerText(), { timeout: 15_000 }).toContain('must be letters, digits, dots, dashes or underscores');
    expect(await ops.locator('[data-testid="property-edit-inviteEmail"]').innerText()).toContain(
      'is already the email of another staff user',
    );
    expect(await harness.db.dataSource.manager.countBy(Partner, { code: 'bloem' })).toBe(0);
    await shot(ops, '1-form-refused');

    await ops.fill('input[name=pointOfSaleCode]', 'utrecht-1');
    await ops.fill('input[name=inviteEmail]', 'bea@bloem.test');
    await shot(ops, '2-form-filled');
    await ops.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => ops.locator('body').innerText(), { timeout: 15_000 }).toContain('bea@bloem.test is invited by email');
    const partner = await harness.db.dataSource.manager.findOneByOrFail(Partner, { code: 'bloem' });
    expect(ops.url()).toContain(`/admin/resources/Partner/records/${partner.id}/show`);
    await shot(ops, '3-partner-created');

    // 2. The invitation arrives; its link sets a password once, by the policy, then the user signs in.
    const mail = await invitationTo('bea@bloem.test');
    const token = /set-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const invited = await browser.newPage();
    await invited.goto(`${base}/admin/set-password?token=${token}`);
    await invited.fill('input[name=password]', 'short');
    await invited.getByRole('button', { name: 'Set password' }).click();
    expect(await invited.locator('#password-error').innerText()).toBe('The password must be at least 12 characters.');
    await shot(invited, '4-password-refused');
    await invited.fill('input[name=password]', 'tulips-in-the-spring');
    await invited.getByRole('button', { name: 'Set password' }).click();
    expect(await invited.locator('h1').innerText()).toBe('Your password is set');
    await shot(invited, '5-password-set');
    await invited.goto(`${base}/admin/set-password?token=${token}`);
    expect(await invited.locator('body').innerText()).toContain('This link has already been used');
    await shot(invited, '6-link-used');
    await invited.close();
    const bea = await signIn('bea@bloem.test', 'tulips-in-the-spring');
    await expect.poll(() => bea.locator('body').innerText(), { timeout: 15_000 }).toContain('Bloem & Zo');
    await shot(bea, '7-partner-user-dashboard');

    await bea.close();

    // 3. The operator sells the partner a package (one browser: signing in again takes the session back).
    const sales = await signIn('ops@tessera.test', operatorPassword);
    await sales.goto(`${base}/admin/resources/Invoice/actions/new`);
    await sales.locator('[data-testid="property-edit-partnerId"]').click();
    await sales.keyboard.type('Bloem');
    await sales.getByText('Bloem & Zo', { exact: true }).click();
    await sales.locator('[data-testid="property-edit-packageId"]').click();
    await sales.keyboard.type('Starter');
    await sales.getByText('Starter 100k', { exact: true }).click();
    await sales.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => sales.locator('body').innerText(), { timeout: 15_000 }).toContain('100000 points credited to Bloem & Zo');
    await shot(sales, '8-package-sold');

    // 4. The partner's user makes an API key: shown in a dialog that stays until closed.
    const partnerUser = await signIn('bea@bloem.test', 'tulips-in-the-spring');
    await partnerUser.goto(`${base}/admin/resources/Partner/records/${partner.id}/createApiKey`);
    await partnerUser.getByRole('button', { name: 'Create API key' }).click();
    const secretBox = partnerUser.locator('[data-testid="shown-once-secret"]');
    await expect.poll(() => secretBox.inputValue().catch(() => ''), { timeout: 15_000 }).toMatch(/^tk_/);
    const key = await secretBox.inputValue();
    await partnerUser.waitForTimeout(6_000);
    expect(await partnerUser.getByRole('dialog').innerText()).toContain('Shown once: copy it now');
    await shot(partnerUser, '9-api-key-dialog');
    await partnerUser.getByRole('button', { name: 'Done: I have copied it' }).click();
    await expect.poll(() => partnerUser.locator('[data-testid="shown-once"]').count()).toBe(0);

    // The earn widget's snippet, with the token flow, in the same kind of dialog.
    await partnerUser.goto(`${base}/admin/resources/Partner/records/${partner.id}/widgetSnippet`);
    const snippet = partnerUser.locator('[data-testid="shown-once-secret"]');
    await expect.poll(() => snippet.inputValue().catch(() => ''), { timeout: 15_000 }).toContain('<tessera-earn token=');
    const dialog = await partnerUser.getByRole('dialog').innerText();
    expect(await partnerUser.locator('#step-0').inputValue()).toContain('/api/v1/widget-sessions');
    expect(dialog).toContain('the API key never goes in a page');
    await shot(partnerUser, '10-widget-snippet-dialog');

    // 5. Points issued with the new key, at the new point of sale, and the member's balance.
    const events = await fetch(`${base}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        member: { externalId: 'bloem-42', email: 'anna@example.test' },
        type: 'purchase',
        amountCents: 4_250,
        currency: 'EUR',
        pointOfSale: 'utrecht-1',
      }),
    });
    expect(events.status).toBe(201);
    expect(await events.json()).toMatchObject({ points: 42 });
    const member = await fetch(`${base}/api/v1/members/bloem-42`, { headers: { authorization: `Bearer ${key}` } });
    expect((await member.json()).balance.available).toBe(42);

    // 6. The partner's invoice, as a PDF.
    const [invoice] = await harness.db.dataSource.query(`SELECT id, number FROM invoice WHERE "partnerId" = $1`, [partner.id]);
    await partnerUser.goto(`${base}/admin/resources/Invoice/records/${invoice.id}/downloadPdf`);
    const link = partnerUser.locator('[data-testid="invoice-pdf-link"]');
    await link.waitFor({ timeout: 15_000 });
    expect(await link.getAttribute('download')).toBe(`${invoice.number}.pdf`);
    await shot(partnerUser, '11-invoice-pdf');
  }, 240_000);
});
