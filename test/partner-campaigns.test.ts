import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { AuditEntry, Campaign, EarningRule, OutboxEntry, PointOfSale, ProgramSettings } from '../entities/index.js';
import { createCampaign } from '../loyalty/campaigns/campaigns.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { artifactsDir, launchBrowser, signInToBackOffice } from './support/browser.js';
import { serveBackOffice } from './support/back-office.js';
import { campaignDraft } from './support/campaign-draft.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * A partner sets up its own campaign in the back office, within the operator's guardrails; the
 * operator approves it (never the one who asked) and it runs on the partner's events, paid from
 * the partner's wallet. Another partner reaches none of it, by any route.
 */
let harness: WorkerHarness;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
let p: Awaited<ReturnType<typeof createProgram>>;
let bakery: Awaited<ReturnType<typeof p.partner>>;
let florist: Awaited<ReturnType<typeof p.partner>>;
let bakeryStore: string;
let floristStore: string;
/** The florist's own draft, which the bakery must never reach. */
let floristCampaign: Campaign;
const password = 'a-long-enough-password';

const db = () => harness.db.dataSource;

function buy(partnerId: string, externalId: string, category: string, at = new Date()) {
  return inTransaction(db(), (m) =>
    recordEvent(m, p.ledger, {
      partnerId,
      member: { externalId },
      type: 'purchase',
      amountCents: 4_000,
      lines: [{ reference: `${category}-1`, category, quantity: 1, unitPriceCents: 4_000 }],
      occurredAt: at,
      receivedAt: at,
    }),
  );
}

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'partner-campaigns-test'), launchBrowser()]);
  p = await createProgram(db());
  await db().manager.insert(ProgramSettings, {
    id: 1,
    expiryPolicy: { mode: 'period', months: 12 },
    partnerCampaignMaxMultiplier: 3,
    partnerCampaignsNeedApproval: true,
  });
  await db().manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  bakery = await p.partner(1_000_000, 'bakery');
  florist = await p.partner(1_000_000, 'florist');
  bakeryStore = (
    await db().manager.save(PointOfSale, { partnerId: bakery.partner.id, code: 'bakery-1', name: 'Bakery Main Street', channel: 'store' })
  ).id;
  floristStore = (
    await db().manager.save(PointOfSale, { partnerId: florist.partner.id, code: 'florist-1', name: 'Florist corner', channel: 'store' })
  ).id;
  // Last week's sales: each partner's builder offers the categories of its own events only.
  await buy(bakery.partner.id, 'early-bird', 'bread', new Date(Date.now() - 86_400_000));
  await buy(florist.partner.id, 'rose-lover', 'flowers', new Date(Date.now() - 86_400_000));
  floristCampaign = await inTransaction(db(), (m) =>
    createCampaign(
      m,
      campaignDraft({ name: 'Tulip days', ownerPartnerId: florist.partner.id, trigger: { kind: 'category', category: 'flowers' } }),
      'flo@florist.test',
    ),
  );
  for (const [email, role, partnerId] of [
    ['baker@bakery.test', 'partner_user', bakery.partner.id],
    ['flo@florist.test', 'partner_user', florist.partner.id],
    ['pm@tessera.test', 'program_manager', null],
    ['admin@tessera.test', 'operator_admin', null],
  ] as const) {
    await db().query(`INSERT INTO staff_user (email, name, role, "partnerId", "passwordHash") VALUES ($1, $1, $2, $3, $4)`, [
      email,
      role,
      partnerId,
      await hashPassword(password),
    ]);
  }
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

/** A session cookie from the login form, for calls to the back office's API routes. */
async function cookieOf(email: string): Promise<string> {
  const response = await fetch(`${base}/admin/login`, {
    method: 'POST',
    headers: { origin: base },
    body: new URLSearchParams({ email, password }),
    redirect: 'manual',
  });
  return response.headers
    .getSetCookie()
    .find((c) => c.startsWith('tessera_admin='))!
    .split(';')[0]!;
}

async function call(cookie: string, method: 'GET' | 'POST', path: string, fields: Record<string, string> = {}) {
  const body = new FormData();
  for (const [key, value] of Object.entries(fields)) body.append(key, value);
  const response = await fetch(`${base}/admin/api${path}`, {
    method,
    headers: { cookie, origin: base },
    redirect: 'manual',
    ...(method === 'POST' ? { body } : {}),
  });
  return { status: response.status, text: await response.text() };
}

const statusOf = async (id: string) => (await db().manager.findOneByOrFail(Campaign, { id })).status;

describe('a partner’s own campaign', () => {
  it('is built by the partner, waits for the operator’s approval, and runs on the partner’s events once approved', async () => {
    const page = await signIn('baker@bakery.test');
    await page.goto(`${base}/admin/resources/Campaign/actions/new`);
    await page.getByLabel('Name members and staff will see').fill('Bread week');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.getByLabel('Category (seen in the last 90 days)').inputValue()).toBe('bread');
    const categories = await page.getByLabel('Category (seen in the last 90 days)').locator('option').allInnerTexts();
    expect(categories).toEqual(['bread']);
    const places = await page.getByLabel('Where does it count?').locator('option').allInnerTexts();
    expect(places).toEqual(['At every store of Shop bakery', 'Bakery Main Street (Shop bakery)']);
    await page.getByLabel('Where does it count?').selectOption({ label: 'Bakery Main Street (Shop bakery)' });
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click(); // ×2
    await page.getByLabel(/^Budget in points/).fill('1000');
    await page.getByRole('button', { name: 'Next' }).click();
    const preview = page.getByTestId('campaign-preview');
    await expect.poll(() => preview.innerText(), { timeout: 20_000 }).toContain('40 of them from this campaign');
    await page.screenshot({ path: join(artifactsDir, 'partner-campaign-review.png'), fullPage: true });
    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.waitForURL(/\/admin\/resources\/Campaign\/records\/[^/]+\/show/);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('waiting for the operator’s approval');
    await page.screenshot({ path: join(artifactsDir, 'partner-campaign-awaiting-approval.png'), fullPage: true });

    const campaign = await db().manager.findOneByOrFail(Campaign, { name: 'Bread week' });
    expect(campaign).toMatchObject({
      ownerPartnerId: bakery.partner.id,
      status: 'awaiting_approval',
      approvalRequestedBy: 'baker@bakery.test',
      places: { pointOfSaleIds: [bakeryStore] },
    });
    // The approval's process was started from the outbox.
    await expect
      .poll(
        async () =>
          (await db().manager.findOneByOrFail(OutboxEntry, { process: 'campaign_approval', subjectId: campaign.approvalRequestId! }))
            .dispatchedAt,
      )
      .not.toBeNull();
    // The partner cannot approve it: no button, and the route refuses.
    expect(
      await page
        .getByRole('link', { name: 'Approve' })
        .or(page.getByRole('button', { name: 'Approve' }))
        .count(),
    ).toBe(0);
    const baker = await cookieOf('baker@bakery.test');
    expect((await call(baker, 'POST', `/resources/Campaign/records/${campaign.id}/approve`)).status).toBe(403);
    expect(await statusOf(campaign.id)).toBe('awaiting_approval');
    await page.close();

    const operator = await signIn('pm@tessera.test');
    await operator.goto(`${base}/admin/resources/Campaign/records/${campaign.id}/show`);
    await expect.poll(() => operator.locator('body').innerText()).toContain('Shop bakery');
    // The approver reads what the campaign does, in words.
    const approverSees = await operator.locator('body').innerText();
    expect(approverSees).toContain('Buying in the category bread');
    expect(approverSees).toContain('×2 the points it earns');
    expect(approverSees).toContain('at the points of sale Bakery Main Street (Shop bakery)');
    await operator.screenshot({ path: join(artifactsDir, 'partner-campaign-operator-approves.png'), fullPage: true });
    await operator
      .getByRole('link', { name: 'Approve' })
      .or(operator.getByRole('button', { name: 'Approve' }))
      .first()
      .click();
    await operator.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => statusOf(campaign.id), { timeout: 20_000 }).toBe('running');
    await expect.poll(() => operator.locator('body').innerText(), { timeout: 15_000 }).toContain('running');
    await operator.screenshot({ path: join(artifactsDir, 'partner-campaign-running.png'), fullPage: true });
    expect(await db().manager.countBy(AuditEntry, { resource: 'Campaign', recordId: campaign.id, action: 'approve' })).toBe(1);
    await operator.close();

    // It earns at the bakery's store, paid from the bakery's wallet; not at the florist's.
    const wallet = await p.available(bakery.wallet.id);
    const boosted = await inTransaction(db(), (m) =>
      recordEvent(m, p.ledger, {
        partnerId: bakery.partner.id,
        pointOfSaleCode: 'bakery-1',
        member: { externalId: 'bread-fan' },
        type: 'purchase',
        amountCents: 4_000,
        lines: [{ reference: 'LOAF', category: 'bread', quantity: 1, unitPriceCents: 4_000 }],
        occurredAt: new Date(),
        receivedAt: new Date(),
      }),
    );
    expect(boosted.points).toBe(80);
    expect(await p.available(bakery.wallet.id)).toBe(wallet - 80);
    expect((await buy(florist.partner.id, 'bread-fan', 'bread')).points).toBe(40);
    expect((await db().manager.findOneByOrFail(Campaign, { id: campaign.id })).spentPoints).toBe(40);
  }, 120_000);

  it('is refused above the operator’s guardrails, with the message under the field, and nothing is saved', async () => {
    const before = await db().manager.count(Campaign);
    const page = await signIn('baker@bakery.test');
    await page.goto(`${base}/admin/resources/Campaign/actions/new`);
    await page.getByLabel('Name members and staff will see').fill('Crazy croissants');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Multiplier (2 doubles the points)').fill('5');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await expect.poll(() => page.locator('body').innerText()).toContain('at most ×3 (the operator’s limit for partner campaigns)');
    expect(await page.getByLabel('Multiplier (2 doubles the points)').isVisible()).toBe(true);
    await page.screenshot({ path: join(artifactsDir, 'partner-campaign-guardrail.png'), fullPage: true });
    expect(await db().manager.count(Campaign)).toBe(before);
    await page.close();
  });

  it('is edited as a draft in the builder, filled in', async () => {
    const draft = await inTransaction(db(), (m) =>
      createCampaign(
        m,
        campaignDraft({
          name: 'Rye days',
          ownerPartnerId: bakery.partner.id,
          trigger: { kind: 'category', category: 'bread' },
          budgetPoints: 700,
        }),
        'baker@bakery.test',
      ),
    );
    const page = await signIn('baker@bakery.test');
    await page.goto(`${base}/admin/resources/Campaign/records/${draft.id}/edit`);
    await expect.poll(() => page.getByLabel('Name members and staff will see').inputValue()).toBe('Rye days');
    await page.getByLabel('Name members and staff will see').fill('Rye and spelt days');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.getByLabel('Multiplier (2 doubles the points)').inputValue()).toBe('2');
    await page.getByLabel('Multiplier (2 doubles the points)').fill('2.5');
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.getByLabel(/^Budget in points/).inputValue()).toBe('700');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.screenshot({ path: join(artifactsDir, 'partner-campaign-edit.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/show$/);
    expect(await db().manager.findOneByOrFail(Campaign, { id: draft.id })).toMatchObject({
      name: 'Rye and spelt days',
      status: 'draft',
      reward: { kind: 'multiplier', coefficient: 2.5 },
      budgetPoints: 700,
      ownerPartnerId: bakery.partner.id,
    });
    await page.close();
  });

  it('rejected by the operator, goes back to the partner as a draft with the reason', async () => {
    const draft = await inTransaction(db(), (m) =>
      createCampaign(
        m,
        campaignDraft({ name: 'Baguette blitz', ownerPartnerId: bakery.partner.id, trigger: { kind: 'category', category: 'bread' } }),
        'baker@bakery.test',
      ),
    );
    const baker = await cookieOf('baker@bakery.test');
    expect((await call(baker, 'POST', `/resources/Campaign/records/${draft.id}/schedule`)).status).toBe(200);
    expect(await statusOf(draft.id)).toBe('awaiting_approval');
    const operator = await signIn('pm@tessera.test');
    await operator.goto(`${base}/admin/resources/Campaign/records/${draft.id}/reject`);
    await operator.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => operator.locator('body').innerText()).toContain('say why, in 1 to 500 characters');
    await operator.getByLabel(/Why it is rejected/).fill('Two bread campaigns at once is too many');
    await operator.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => statusOf(draft.id), { timeout: 20_000 }).toBe('draft');
    await operator.close();
    const page = await signIn('baker@bakery.test');
    await page.goto(`${base}/admin/resources/Campaign/records/${draft.id}/show`);
    await expect
      .poll(() => page.locator('body').innerText())
      .toContain('a draft (not approved by pm@tessera.test: Two bread campaigns at once is too many)');
    await page.screenshot({ path: join(artifactsDir, 'partner-campaign-rejected.png'), fullPage: true });
    await page.close();
  });
});

describe('another partner', () => {
  it('neither reads nor changes a partner’s campaign through any back-office route', async () => {
    const baker = await cookieOf('baker@bakery.test');
    const id = floristCampaign.id;
    const list = await call(baker, 'GET', '/resources/Campaign/actions/list?perPage=500');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(id);
    expect(list.text).not.toContain('Tulip days');
    expect((await call(baker, 'GET', `/resources/Campaign/actions/list?filters.ownerPartnerId=${florist.partner.id}`)).text).not.toContain(
      id,
    );
    expect((await call(baker, 'GET', `/resources/Campaign/actions/search/Tulip`)).text).not.toContain(id);
    for (const action of ['show', 'edit']) {
      const answer = await call(baker, 'GET', `/resources/Campaign/records/${id}/${action}`);
      expect(answer.status, action).not.toBe(200);
      expect(answer.text).not.toContain('Tulip days');
    }
    const form = {
      campaign: JSON.stringify({
        name: 'Mine now',
        audience: { kind: 'everyone' },
        trigger: { kind: 'visit' },
        reward: { kind: 'fixed_points', points: '5' },
      }),
    };
    for (const action of ['edit', 'schedule', 'pause', 'resume', 'end', 'approve', 'reject', 'delete']) {
      const answer = await call(baker, 'POST', `/resources/Campaign/records/${id}/${action}`, form);
      expect(answer.status, action).not.toBe(200);
    }
    expect((await call(baker, 'POST', `/resources/Campaign/bulk/delete?recordIds=${id}`)).status).not.toBe(200);
    expect(await db().manager.findOneByOrFail(Campaign, { id })).toMatchObject({
      name: 'Tulip days',
      status: 'draft',
      ownerPartnerId: florist.partner.id,
    });

    // The builder offers the bakery only its own names, and a campaign made with the florist's in the form is the bakery's, within it.
    const options = await call(baker, 'GET', '/resources/Campaign/actions/new');
    expect(options.text).not.toContain(florist.partner.id);
    expect(options.text).not.toContain(floristStore);
    expect(options.text).not.toContain('flowers');
    const reaching = await call(baker, 'POST', '/resources/Campaign/actions/new', {
      intent: 'save',
      campaign: JSON.stringify({
        name: 'Reaching over',
        ownerPartnerId: florist.partner.id,
        audience: { kind: 'partners', partnerIds: [florist.partner.id] },
        trigger: { kind: 'visit' },
        reward: { kind: 'fixed_points', points: '5' },
        places: { pointOfSaleIds: [floristStore] },
      }),
    });
    expect(JSON.parse(reaching.text).errors).toMatchObject({
      'audience.partnerIds': { message: 'your campaign may reach the members you know, not another partner’s' },
      'places.pointOfSaleIds': { message: 'choose among your own points of sale' },
    });
    expect(await db().manager.countBy(Campaign, { name: 'Reaching over' })).toBe(0);
    const own = await call(baker, 'POST', '/resources/Campaign/actions/new', {
      intent: 'save',
      campaign: JSON.stringify({
        name: 'Mine only',
        ownerPartnerId: florist.partner.id,
        audience: { kind: 'everyone' },
        trigger: { kind: 'visit' },
        reward: { kind: 'fixed_points', points: '5' },
      }),
    });
    expect(own.status).toBe(200);
    expect(await db().manager.findOneByOrFail(Campaign, { name: 'Mine only' })).toMatchObject({ ownerPartnerId: bakery.partner.id });
    // The preview's sample basket is at the bakery, whatever partner the form names.
    const preview = await call(baker, 'POST', '/resources/Campaign/actions/new', {
      intent: 'preview',
      campaign: JSON.stringify({
        name: 'Peek',
        audience: { kind: 'everyone' },
        trigger: { kind: 'purchase_amount' },
        reward: { kind: 'multiplier', coefficient: '2' },
        basket: { partnerId: florist.partner.id, lines: [{ reference: 'X', category: 'flowers', quantity: 1, unitPriceCents: 1_000 }] },
      }),
    });
    expect(JSON.parse(preview.text).preview.basket.campaignPoints).toBe(10);
  });
});

describe('the approval', () => {
  it('is never given by the staff member who asked for it, and approving twice is harmless', async () => {
    const draft = await inTransaction(db(), (m) =>
      createCampaign(m, campaignDraft({ name: 'Bouquet bonus', ownerPartnerId: florist.partner.id }), 'flo@florist.test'),
    );
    // A program manager schedules the florist's draft: they asked, so another operator approves.
    const pm = await cookieOf('pm@tessera.test');
    expect((await call(pm, 'POST', `/resources/Campaign/records/${draft.id}/schedule`)).status).toBe(200);
    expect(await db().manager.findOneByOrFail(Campaign, { id: draft.id })).toMatchObject({
      status: 'awaiting_approval',
      approvalRequestedBy: 'pm@tessera.test',
    });
    const own = JSON.parse((await call(pm, 'POST', `/resources/Campaign/records/${draft.id}/approve`)).text);
    expect(own.notice).toMatchObject({ type: 'error', message: 'the one who asked for a campaign’s approval cannot approve or reject it' });
    expect(await statusOf(draft.id)).toBe('awaiting_approval');

    const admin = await cookieOf('admin@tessera.test');
    const [first, second] = await Promise.all([
      call(admin, 'POST', `/resources/Campaign/records/${draft.id}/approve`),
      call(admin, 'POST', `/resources/Campaign/records/${draft.id}/approve`),
    ]);
    expect([first.status, second.status]).toContain(200);
    await expect.poll(() => statusOf(draft.id), { timeout: 20_000 }).toBe('running');
    const third = await call(admin, 'POST', `/resources/Campaign/records/${draft.id}/approve`);
    expect(third.status).not.toBe(500);
    expect(await statusOf(draft.id)).toBe('running');
    expect(await db().manager.countBy(OutboxEntry, { process: 'campaign_lifecycle', subjectId: draft.id })).toBe(1);
  });
});
