import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { AuditEntry, Company, CompanyFunding, Member, ProgramSettings } from '../entities/index.js';
import { managerEmails } from '../loyalty/company-accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { memberWithAccount } from '../loyalty/member-identity.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { serveBackOffice } from './support/back-office.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/** Operator staff set companies up in the back office: name, managers, and points from a partner or the program. */
let harness: WorkerHarness;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
const password = 'a-long-enough-password';

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'company-back-office-test'), launchBrowser()]);
  const m = harness.db.dataSource.manager;
  p = await createProgram(harness.db.dataSource);
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  shop = await p.partner(500);
  for (const [email, role] of [
    ['ops@tessera.test', 'operator_admin'],
    ['agent@tessera.test', 'care_agent'],
  ]) {
    await harness.db.dataSource.query(`INSERT INTO staff_user (email, name, role, "passwordHash") VALUES ($1, 'Staff', $2, $3)`, [
      email,
      role,
      await hashPassword(password),
    ]);
  }
  for (const email of ['ann@acme.example', 'bo@acme.example']) {
    const { member } = await p.member(email.split('@')[0]);
    await m.update(Member, { id: member.id }, { email, emailVerifiedAt: new Date() });
  }
  served = await serveBackOffice(harness);
  base = served.base;
  // AdminJS bundles its components on the first request for them: a minute on a busy machine.
  await fetch(`${base}/admin/frontend/assets/components.bundle.js`);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await harness?.stop();
});

async function signIn(email: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL(`${base}/admin`);
  return page;
}

/** Posts a back-office form as the signed-in page would. */
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

const audits = (resource: string) => harness.db.dataSource.manager.find(AuditEntry, { where: { resource }, order: { at: 'ASC' } });
const balanceOf = async (company: Company) =>
  p.available((await memberWithAccount(harness.db.dataSource.manager, company.memberId)).account.id);

describe('companies in the back office', () => {
  it('lets an operator set a company up with its managers, and says which manager email no member has proved', async () => {
    const page = await signIn('ops@tessera.test');
    await page.goto(`${base}/admin/resources/Company/actions/new`);
    await page.locator('input[name=name]').fill('Acme BV');
    await page.locator('textarea[name=managerEmails]').fill('ann@acme.example\nBo@Acme.example');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/resources\/Company\/records\/[0-9a-f-]+\/show/);
    const acme = await harness.db.dataSource.manager.findOneByOrFail(Company, { name: 'Acme BV' });
    expect(await managerEmails(harness.db.dataSource.manager, acme.id)).toEqual(['ann@acme.example', 'bo@acme.example']);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('ann@acme.example');
    await page.screenshot({ path: join(artifactsDir, 'back-office-company.png'), fullPage: true });
    const created = await audits('Company');
    expect(created.at(-1)).toMatchObject({ action: 'new', staffEmail: 'ops@tessera.test', recordId: acme.id });
    expect(created.at(-1)!.after).toMatchObject({ name: 'Acme BV', managerEmails: ['ann@acme.example', 'bo@acme.example'] });

    const refused = await post(page, '/admin/api/resources/Company/actions/new', {
      name: 'Other BV',
      managerEmails: 'nobody@acme.example',
    });
    expect(refused.body.record.errors.managerEmails.message).toContain('no member has proved nobody@acme.example yet');
    const taken = await post(page, '/admin/api/resources/Company/actions/new', { name: 'acme bv', managerEmails: 'ann@acme.example' });
    expect(taken.body.record.errors.name.message).toContain('already called');
    expect(await harness.db.dataSource.manager.count(Company)).toBe(1);

    // Managers change: Bo leaves, the name is corrected.
    const edited = await post(page, `/admin/api/resources/Company/records/${acme.id}/edit`, {
      name: 'Acme Logistics BV',
      managerEmails: 'ann@acme.example',
    });
    expect(edited.status).toBe(200);
    expect(await managerEmails(harness.db.dataSource.manager, acme.id)).toEqual(['ann@acme.example']);
    const renamed = await harness.db.dataSource.manager.findOneByOrFail(Company, { id: acme.id });
    expect(renamed.name).toBe('Acme Logistics BV');
    expect((await harness.db.dataSource.manager.findOneByOrFail(Member, { id: acme.memberId })).displayName).toBe('Acme Logistics BV');
    expect((await audits('Company')).at(-1)).toMatchObject({ action: 'edit', recordId: acme.id });
    await page.close();
  });

  it("funds a company from a partner's wallet or the program's marketing account, once per reference, audited", async () => {
    const acme = await harness.db.dataSource.manager.findOneByOrFail(Company, { name: 'Acme Logistics BV' });
    const page = await signIn('ops@tessera.test');
    const fund = (fields: Record<string, string>) =>
      post(page, '/admin/api/resources/CompanyFunding/actions/new', { companyId: acme.id, ...fields });

    const fromShop = await fund({ partnerId: shop.partner.id, points: '400', reason: 'Staff rewards, Q1', reference: 'PO-1' });
    expect(fromShop.status).toBe(200);
    expect(fromShop.body.notice.message).toBe(`Funded: 400 points from ${shop.partner.name} to Acme Logistics BV`);
    expect(
      (await fund({ partnerId: shop.partner.id, points: '400', reason: 'Staff rewards, Q1', reference: 'PO-1' })).body.notice.message,
    ).toContain('already funded');
    const tooMuch = await fund({ partnerId: shop.partner.id, points: '101', reason: 'More', reference: 'PO-2' });
    expect(tooMuch.body.record.errors.points.message).toContain('has 100 points to give');
    // Without a reference, sending the form again after a lost answer would fund twice.
    const unreferenced = await fund({ partnerId: '', points: '250', reason: 'Launch gift' });
    expect(unreferenced.body.record.errors.reference.message).toContain('an order, a contract');
    const fromProgram = await fund({ partnerId: '', points: '250', reason: 'Launch gift', reference: 'LAUNCH-1' });
    expect(fromProgram.body.notice.message).toBe('Funded: 250 points from the program to Acme Logistics BV');
    expect((await fund({ points: 'many', reason: '' })).body.record.errors).toMatchObject({
      points: expect.anything(),
      reason: expect.anything(),
    });
    expect(await balanceOf(acme)).toBe(650);

    const fundings = await harness.db.dataSource.manager.find(CompanyFunding, {
      where: { companyId: acme.id },
      order: { fundedAt: 'ASC' },
    });
    expect(fundings.map((f) => [f.partnerId, f.points, f.fundedBy])).toEqual([
      [shop.partner.id, 400, 'ops@tessera.test'],
      [null, 250, 'ops@tessera.test'],
    ]);
    const [transfer] = await harness.db.dataSource.query(`SELECT "references", explanation FROM ledger_transfer WHERE id = $1`, [
      fundings[0]!.transferId,
    ]);
    expect(transfer.references).toMatchObject({
      company: acme.id,
      funding: fundings[0]!.id,
      partner: shop.partner.id,
      agent: 'ops@tessera.test',
    });
    expect(transfer.explanation[0].reason).toBe('Staff rewards, Q1');
    expect((await audits('CompanyFunding')).map((a) => [a.action, a.recordId])).toEqual(fundings.map((f) => ['new', f.id]));

    await page.goto(`${base}/admin/resources/Company/records/${acme.id}/show`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('650 available');
    await page.screenshot({ path: join(artifactsDir, 'back-office-company-funded.png'), fullPage: true });
    await page.close();
    expect((await checkLedger(harness.db.dataSource.manager)).violations).toEqual([]);
  });

  it('lets care read companies but neither set one up nor fund one', async () => {
    const acme = await harness.db.dataSource.manager.findOneByOrFail(Company, { name: 'Acme Logistics BV' });
    const page = await signIn('agent@tessera.test');
    const read = await page.evaluate(async () => (await fetch('/admin/api/resources/Company/actions/list')).status);
    expect(read).toBe(200);
    expect(
      (await post(page, '/admin/api/resources/Company/actions/new', { name: 'Sneaky', managerEmails: 'ann@acme.example' })).status,
    ).toBe(403);
    expect((await post(page, `/admin/api/resources/Company/records/${acme.id}/edit`, { name: 'Sneaky' })).status).toBe(403);
    expect(
      (await post(page, '/admin/api/resources/CompanyFunding/actions/new', { companyId: acme.id, points: '5', reason: 'x' })).status,
    ).toBe(403);
    expect(await balanceOf(acme)).toBe(650);
    await page.close();
  });
});
