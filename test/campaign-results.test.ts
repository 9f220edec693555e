import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { AuditEntry, MemberLink, ProgramSettings, Reward, type Campaign } from '../entities/index.js';
import { inHoldout } from '../loyalty/campaigns/campaign-audience.js';
import { createCampaign, scheduleCampaign } from '../loyalty/campaigns/campaigns.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { artifactsDir, launchBrowser, signInToBackOffice } from './support/browser.js';
import { serveBackOffice } from './support/back-office.js';
import { campaignDraft } from './support/campaign-draft.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * A manager reads a campaign's results: 60 points given to the two members who got it, one
 * redemption that followed, and the two of them against the two of its holdout — 3 visits against
 * 1, €60 against €10 — on the page, in its charts and in the CSV.
 */
let harness: WorkerHarness;
let browser: BrowserContext;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
let campaign: Campaign;
let previousPeriod: Campaign;
let later: Campaign;
const password = 'a-long-enough-password';
const days = (n: number) => new Date(Date.now() + n * 86_400_000);

beforeAll(async () => {
  [harness, browser] = await Promise.all([startWorkerHarness(startDevServer, 'campaign-results-test'), launchBrowser()]);
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'never' } });
  await db.manager.insert(Reward, { code: 'coffee', name: 'Coffee', pointsPrice: 20, stock: 100 });
  const { partner: shop } = await p.partner(1_000_000, 'bakery');
  const tx = <T>(work: (m: import('typeorm').EntityManager) => Promise<T>) => inTransaction(db, work);
  const made = await tx((m) =>
    createCampaign(
      m,
      campaignDraft({
        name: 'Bakery comeback',
        audience: { kind: 'partners', partnerIds: [shop.id] },
        trigger: { kind: 'purchase_amount' },
        reward: { kind: 'points_per_unit', pointsPerUnit: 1, rounding: 'down' },
        startsAt: days(-10),
        endsAt: days(4),
        holdoutPercent: 50,
      }),
      'pm@tessera.test',
      days(-11),
    ),
  );
  campaign = await tx((m) => scheduleCampaign(m, made.id, days(-10)));
  forgetProgramConfiguration(db);
  // Two members who get the campaign and two of its holdout, all known to the bakery.
  const treated: string[] = [];
  const holdout: string[] = [];
  for (let n = 0; treated.length < 2 || holdout.length < 2; n++) {
    const ref = `customer-${n}`;
    const { member } = await p.member(ref);
    const group = inHoldout(campaign, member.id) ? holdout : treated;
    if (group.length >= 2) continue;
    group.push(ref);
    await db.manager.insert(MemberLink, { partnerId: shop.id, customerId: ref, memberId: member.id, cause: 'store' });
  }
  // They joined a month ago (an ended campaign's audience is whoever was a member before its end).
  await db.query(`UPDATE member SET "enrolledAt" = now() - interval '30 days'`);
  const buy = (externalId: string, day: number, cents: number) =>
    tx((m) =>
      recordEvent(m, p.ledger, {
        partnerId: shop.id,
        member: { externalId },
        type: 'purchase',
        amountCents: cents,
        currency: 'EUR',
        occurredAt: days(day),
        receivedAt: days(day),
      }),
    );
  // A campaign without a holdout, for the same bakery customers: compared with the week before it.
  const weekly = await tx((m) =>
    createCampaign(
      m,
      campaignDraft({
        name: 'Bakery loyalty week',
        audience: { kind: 'partners', partnerIds: [shop.id] },
        trigger: { kind: 'visit' },
        reward: { kind: 'fixed_points', points: 5 },
        startsAt: days(-7),
        endsAt: days(-1),
      }),
      'pm@tessera.test',
      days(-8),
    ),
  );
  previousPeriod = await tx((m) => scheduleCampaign(m, weekly.id, days(-7)));
  later = await tx((m) =>
    createCampaign(
      m,
      campaignDraft({ name: 'Christmas bread', startsAt: days(20), endsAt: days(27), holdoutPercent: 10 }),
      'pm@tessera.test',
    ),
  );
  await buy(holdout[1]!, -12, 1_000); // before both windows: the week before the second
  await buy(treated[0]!, -5, 3_000);
  await buy(treated[0]!, -3, 2_000);
  await buy(treated[1]!, -4, 1_000);
  await buy(holdout[0]!, -4, 1_000);
  const [{ memberId }] = await db.query(`SELECT "memberId" FROM member_link WHERE "customerId" = $1`, [treated[0]]);
  await tx((m) => redeemReward(m, p.ledger, { memberId, rewardCode: 'coffee', quantity: 1, partnerId: shop.id, key: 'coffee-1' }));

  const hash = await hashPassword(password);
  await db.query(
    `INSERT INTO staff_user (email, name, role, "passwordHash", "partnerId") VALUES
       ('pm@tessera.test', 'Pat Manager', 'program_manager', $1, NULL),
       ('analyst@tessera.test', 'Ana Lyst', 'analyst', $1, NULL),
       ('shop@tessera.test', 'Sam Shop', 'partner_user', $1, $2)`,
    [hash, shop.id],
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

const resultsUrl = () => `${base}/admin/resources/Campaign/records/${campaign.id}/results`;

describe('the results of a campaign in the back office', () => {
  it('a manager sees the points, reach, redemptions and the comparison with the holdout, in words, figures and charts, and downloads them', async () => {
    const page = await signIn('pm@tessera.test');
    await page.goto(`${base}/admin/resources/Campaign/records/${campaign.id}/show`);
    await page
      .getByRole('link', { name: /Results/ })
      .first()
      .click();
    await page.waitForURL(resultsUrl());
    await expect
      .poll(() => page.locator('[data-findings]').innerText(), { timeout: 30_000 })
      .toContain('Members who got the campaign came back 3× as often as the holdout (1.5 vs 0.5 visits per member).');
    const findings = await page.locator('[data-findings]').innerText();
    expect(findings).toContain('They spent 6× as much per member as the holdout (€30.00 vs €5.00).');
    expect(findings).toContain('It gave 60 points to 2 members; 1 redemption by them followed.');
    expect(await page.locator('[data-figure="Points issued"]').innerText()).toBe('60');
    expect(await page.locator('[data-figure="Members reached"]').innerText()).toBe('2');
    expect(await page.locator('[data-figure="Redemptions that followed"]').innerText()).toBe('1 (20 points)');
    // Each figure says what it means on hover.
    expect(await page.locator('[title^="Points the campaign itself gave"]').count()).toBeGreaterThan(0);
    const table = page.locator('[data-comparison]');
    expect(await table.innerText()).toMatch(/Members who got the campaign \(2 members\)\s+Holdout \(2 members\)/);
    expect((await page.locator('[data-row="Visits per member"]').innerText()).split(/\s+/).slice(-3)).toEqual(['1.5', '0.5', '3×']);
    expect(await page.locator('[data-row="Spend per member"]').innerText()).toMatch(/€30\.00\s+€5\.00\s+6×/);
    for (const chart of ['campaign-points', 'campaign-visits', 'campaign-spend'])
      await expect.poll(() => page.locator(`#${chart}`).count()).toBe(1);
    // The back office scrolls inside its own frame: a tall window shows the whole page.
    await page.setViewportSize({ width: 1280, height: 2000 });
    await page.screenshot({ path: join(artifactsDir, 'campaign-results-holdout.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the results (CSV)' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('Points issued,60,');
    expect(csv).toContain('Members reached,2,');
    expect(csv).toContain('Visits per member,1.5,0.5,3,');
    expect(csv).toContain('Spend per member (EUR),30,5,6,');
    expect(csv).toMatch(/^Day,Points issued,/m);
    const audit = await harness.db.dataSource.manager.findOneBy(AuditEntry, {
      resource: 'Campaign',
      action: 'results',
      recordId: campaign.id,
    });
    expect(audit?.staffEmail).toBe('pm@tessera.test');
  });

  it('without a holdout, the page compares the same members with the days before the campaign; before its start, it says when it starts', async () => {
    const page = await signIn('pm@tessera.test');
    await page.setViewportSize({ width: 1280, height: 1600 });
    await page.goto(`${base}/admin/resources/Campaign/records/${previousPeriod.id}/results`);
    // Its window is the 6 days from day -7 to day -1: the 4 visits of days -5 to -3 are in it, 1 in the 6 days before.
    await expect
      .poll(() => page.locator('[data-findings]').innerText(), { timeout: 30_000 })
      .toContain('Members of the audience came back 4× as often as in the 6 days before the campaign (1 vs 0.25 visits per member).');
    expect(await page.locator('[data-findings]').innerText()).toContain('It gave 20 points to 3 members; 1 redemption by them followed.');
    expect(await page.locator('[data-comparison]').innerText()).toMatch(
      /During the campaign \(4 members\)\s+The same members in the 6 days before the campaign \(4 members\)/,
    );
    await page.screenshot({ path: join(artifactsDir, 'campaign-results-previous-period.png'), fullPage: true });

    await page.goto(`${base}/admin/resources/Campaign/records/${later.id}/results`);
    await expect.poll(() => page.locator('[data-findings]').innerText(), { timeout: 30_000 }).toMatch(/has not been scheduled yet/);
    expect(await page.locator('[data-figure]').count()).toBe(0);
    await page.screenshot({ path: join(artifactsDir, 'campaign-results-draft.png'), fullPage: true });
  });

  it('an analyst reads the results too', async () => {
    const page = await signIn('analyst@tessera.test');
    await page.goto(resultsUrl());
    await expect.poll(() => page.locator('[data-figure="Points issued"]').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.locator('[data-figure="Points issued"]').innerText()).toBe('60');
  });

  it('a partner user who may not read the campaign gets no figure of it', async () => {
    const page = await signIn('shop@tessera.test');
    const answer = await page.request.get(`${base}/admin/api/resources/Campaign/records/${campaign.id}/results`);
    expect(await answer.text()).not.toContain('pointsIssued');
    await page.goto(resultsUrl());
    await page.waitForTimeout(1_000);
    expect(await page.locator('[data-figure="Points issued"]').count()).toBe(0);
    await page.screenshot({ path: join(artifactsDir, 'campaign-results-partner-refused.png'), fullPage: true });
  });
});
