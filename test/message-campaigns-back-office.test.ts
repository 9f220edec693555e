import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Member, MessageCampaign, MessageCampaignRecipient, Segment } from '../entities/index.js';
import { zonedLocal } from '../loyalty/campaigns/zoned-time.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import { workflowIds } from '../workflows/process-dispatch.js';
import { backOfficeApi, serveBackOffice } from './support/back-office.js';
import { artifactsDir, launchBrowser, settle, signInToBackOffice } from './support/browser.js';
import { startTimeSkippingServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * Message campaigns in the back office, in a real browser: the operator sets one up (the segment
 * picked by its name), is told under the field what is wrong, schedules it (the outbox starts its
 * workflow, run on Temporal's time-skipping server), cancels another, and reads the results once
 * the emails went out and some were opened. Partner users and care never reach them.
 */
let harness: WorkerHarness;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
let segment: Segment;
const memberEmails: string[] = [];

const db = () => harness.db.dataSource;
const operator = 'operator@tessera.demo';
const zone = 'Europe/Amsterdam';

/** An Etc/GMT zone whose hour at `at` falls in [from, to): members there are awake when it goes out. */
function zoneAtHour(at: Date, from: number, to: number): string {
  for (let ahead = -12; ahead <= 14; ahead++) {
    const hour = (at.getUTCHours() + ahead + 24) % 24;
    if (hour >= from && hour < to) return ahead === 0 ? 'Etc/UTC' : `Etc/GMT${ahead > 0 ? '-' : '+'}${Math.abs(ahead)}`;
  }
  throw new Error('no such zone');
}

let now: Date;
/** The send time: a quarter of an hour after the test began, on the minute. */
let sendAt: Date;

beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'message-campaigns-back-office-test');
  await seedDemoProgram(db());
  // Time moves only while the test waits for a workflow's result.
  await harness.env.connection.testService!.lockTimeSkipping({});
  now = new Date(Math.max(Date.now(), await harness.env.currentTimeMs()));
  sendAt = new Date(Math.ceil(now.getTime() / 60_000) * 60_000 + 15 * 60_000);
  segment = await db().manager.save(
    db().manager.create(Segment, { name: 'Born in July', conditions: { birthdayMonth: 7 }, createdBy: 'test' }),
  );
  // Sixteen members born in July, awake at the send time, who take offers by email. The holdout is
  // drawn by a hash of random ids: with six, all of them fell in a 50 % holdout once in 64 runs.
  const members = await db().manager.find(Member, { order: { externalId: 'ASC' }, take: 16 });
  for (const [i, member] of members.entries()) {
    const email = `july-${i}@example.test`;
    await db().manager.update(
      Member,
      { id: member.id },
      { birthday: '1990-07-14', email, emailVerifiedAt: now, timeZone: zoneAtHour(sendAt, 11, 18) },
    );
    memberEmails.push(email);
  }
  served = await serveBackOffice(harness);
  base = served.base;
}, 180_000);
afterAll(async () => {
  await served?.close();
  await harness?.stop();
});

const { post, get } = backOfficeApi(() => base, demoPassword);
const field = (page: import('playwright-core').Page, name: string) => page.locator(`[data-testid="property-edit-${name}"]`);
const campaignNamed = (name: string) => db().manager.findOneByOrFail(MessageCampaign, { name });

/** A campaign form as the back office posts it, valid in every field. */
const valid = () => ({
  name: 'Summer is back',
  segmentId: segment.id,
  channel: 'email',
  subject: 'Double points for your birthday month',
  body: 'Come and see: https://shop.example/summer',
  sendAt: zonedLocal(sendAt, zone),
  timeZone: zone,
  ratePerMinute: '10',
  holdoutPercent: '50',
  returnWindowDays: '7',
});

it('lets the operator set one up in the browser, shows what is wrong under the field, schedules it, cancels another, and shows the results', async () => {
  const browser = await launchBrowser({ timezoneId: 'UTC' });
  try {
    const page = await signInToBackOffice(browser, base, operator, demoPassword);
    await page.goto(`${base}/admin/resources/MessageCampaign/actions/new`);
    await expect.poll(() => field(page, 'segmentId').count(), { timeout: 20_000 }).toBe(1);
    const form = valid();
    await page.fill('input[name=name]', form.name);
    // The segment is picked by its name.
    await field(page, 'segmentId').click();
    await page.keyboard.type('Born in');
    await page.getByText('Born in July', { exact: true }).click();
    await field(page, 'channel').click();
    await page.getByText('Email', { exact: true }).click();
    await page.fill('input[name=subject]', form.subject);
    await page.fill('textarea[name=body]', form.body);
    await page.fill('input[name=sendAt]', form.sendAt);
    await page.fill('input[name=timeZone]', form.timeZone);
    await page.fill('input[name=ratePerMinute]', form.ratePerMinute);
    await page.fill('input[name=holdoutPercent]', '150');
    await page.fill('input[name=returnWindowDays]', form.returnWindowDays);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => field(page, 'holdoutPercent').innerText(), { timeout: 15_000 }).toContain('a whole percentage from 0 to 90');
    expect(await page.locator('body').innerText()).not.toMatch(/violates|constraint|Error:|at \w+ \(/);
    await field(page, 'holdoutPercent').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'message-campaigns-form-refused.png'), fullPage: true });
    expect(await db().manager.count(MessageCampaign)).toBe(0);

    // Corrected, it is saved and scheduled: its page says when it goes out, on the clock of its zone.
    await page.fill('input[name=holdoutPercent]', '50');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/resources\/MessageCampaign\/records\/[0-9a-f-]+\/show/, { timeout: 15_000 });
    const saved = await campaignNamed(form.name);
    expect(saved).toMatchObject({ segmentId: segment.id, channel: 'email', holdoutPercent: 50, status: 'scheduled', timeZone: zone });
    expect(saved.sendAt.toISOString()).toBe(sendAt.toISOString());
    const shownTime = `${sendAt.toLocaleString('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' })} (${zone})`;
    await expect
      .poll(() => page.locator('[data-testid="property-show-status"]').innerText(), { timeout: 15_000 })
      .toContain('scheduled: waiting for its time');
    expect(await page.locator('[data-testid="property-show-scheduled"]').innerText()).toContain(shownTime);

    // Its workflow was started through the outbox, and waits for its time.
    const handle = harness.env.client.workflow.getHandle(workflowIds.messageCampaign(saved.id));
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // The list names the segment and the time, never an id.
    await page.goto(`${base}/admin/resources/MessageCampaign`);
    await expect.poll(() => page.locator('table tbody tr').count(), { timeout: 20_000 }).toBe(1);
    const row = await page.locator('table tbody').innerText();
    expect(row).toContain('Born in July');
    expect(row).toContain(shownTime);
    expect(row).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);

    // Another one, cancelled from its page after a confirmation: it says so, and nobody is sent it.
    const other = await post(operator, '/resources/MessageCampaign/actions/new', { ...form, name: 'Never mind' });
    expect(other.body.notice).toMatchObject({ type: 'success' });
    const never = await campaignNamed('Never mind');
    await page.goto(`${base}/admin/resources/MessageCampaign/records/${never.id}/show`);
    await page
      .getByRole('button', { name: 'Cancel' })
      .or(page.getByRole('link', { name: 'Cancel' }))
      .first()
      .click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('is cancelled: nobody will be sent it');
    await expect.poll(() => page.locator('[data-testid="property-show-status"]').innerText(), { timeout: 15_000 }).toContain('cancelled');
    expect((await campaignNamed('Never mind')).status).toBe('cancelled');
    // Neither changed nor cancelled again once cancelled.
    const again = await post(operator, `/resources/MessageCampaign/records/${never.id}/cancel`, {});
    expect(again.status).toBe(403);
    const edited = await post(operator, `/resources/MessageCampaign/records/${never.id}/edit`, { ...form, name: 'Revived' });
    expect(edited.status).toBe(403);
    expect((await campaignNamed('Never mind')).status).toBe('cancelled');

    // The time passes: the first goes out, the cancelled one sends nothing.
    expect(await handle.result()).toBe('sent');
    expect(await harness.env.client.workflow.getHandle(workflowIds.messageCampaign(never.id)).result()).toBe('cancelled');
    const recipients = await db().manager.findBy(MessageCampaignRecipient, { campaignId: saved.id });
    // The audience is the segment's members at the send time (a demo member may not count, e.g. one erased).
    expect(recipients.length).toBeGreaterThanOrEqual(4);
    expect(await db().manager.countBy(MessageCampaignRecipient, { campaignId: never.id })).toBe(0);
    const sent = recipients.filter((r) => r.status === 'sent');
    const heldOut = recipients.filter((r) => r.holdout);
    expect(sent.length + heldOut.length).toBe(recipients.length);
    const inbox = (await readInbox(harness.sink.directory)).filter((m) => memberEmails.some((e) => m.to.includes(e)));
    expect(inbox).toHaveLength(sent.length);

    // One member opens the email (its tracking pixel), one of those sent comes back, and one of the holdout.
    const pixel = /src="([^"]+\/m\/o\/[A-Za-z0-9_-]+)"/.exec(inbox[0]!.html ?? '')![1]!;
    expect((await fetch(`${base}${new URL(pixel).pathname}`)).status).toBe(200);
    const event = (memberId: string, at: Date) =>
      db().query(
        `INSERT INTO member_event ("partnerId", "memberId", "customerId", type, "occurredAt", points)
         SELECT id, $1, 'c', 'visit', $2, 0 FROM partner WHERE code = 'koffie-corner'`,
        [memberId, at],
      );
    await event(sent[0]!.memberId, new Date(sent[0]!.sentAt!.getTime() + 3_600_000));
    if (heldOut.length > 0) await event(heldOut[0]!.memberId, new Date(sendAt.getTime() + 7_200_000));

    // Its page shows the results in plain words, each share with the members behind it.
    await page.goto(`${base}/admin/resources/MessageCampaign/records/${saved.id}/show`);
    const results = page.getByTestId('message-campaign-results');
    await expect.poll(() => results.count(), { timeout: 20_000 }).toBe(1);
    const text = await results.innerText();
    await settle(page);
    await results.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'message-campaigns-results.png'), fullPage: true });
    const pct = (part: number, whole: number) => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`);
    const s = sent.length;
    const h = heldOut.length;
    expect(text).toMatch(new RegExp(`Sent\\s+100\\.0 %\\s+${s} of ${s}`));
    expect(text).toMatch(new RegExp(`Opened\\s+${pct(1, s).replace('.', '\\.')}\\s+1 of ${s}`));
    expect(text).toMatch(new RegExp(`Clicked a link\\s+0\\.0 %\\s+0 of ${s}`));
    expect(text).toMatch(new RegExp(`Came back within 7 days \\(sent the message\\)\\s+${pct(1, s).replace('.', '\\.')}\\s+1 of ${s}`));
    expect(text).toContain(`Came back within 7 days (holdout, not sent it)`);
    expect(text).toContain(h > 0 ? `100.0 %` : '—');
    expect(text).toMatch(/Difference\s+(—|[+−]\d+\.\d points)/);
    expect(text).not.toMatch(/NaN|undefined|null/);
  } finally {
    await browser.close();
  }
}, 240_000);

it('moves a scheduled campaign later (its workflow waits again), back sooner than that (it sends then), never before its first time, and refuses bad input under the field', async () => {
  // An hour ahead of both clocks (Temporal's has run ahead, through the first campaign's sends).
  const at = new Date(Math.ceil(Math.max(Date.now(), await harness.env.currentTimeMs()) / 60_000) * 60_000 + 3_600_000);
  const autumnForm = { ...valid(), name: 'Autumn', sendAt: zonedLocal(at, zone) };
  const created = await post(operator, '/resources/MessageCampaign/actions/new', autumnForm);
  expect(created.body.notice).toMatchObject({ type: 'success' });
  const autumn = await campaignNamed('Autumn');
  const edit = (fields: Record<string, string>) =>
    post(operator, `/resources/MessageCampaign/records/${autumn.id}/edit`, { ...autumnForm, ...fields });

  // The edit page shows the time as it was typed, on its zone's clock.
  const page = await get(operator, `/resources/MessageCampaign/records/${autumn.id}/edit`);
  expect(page.body.record.params.sendAt).toBe(zonedLocal(autumn.sendAt, zone));

  for (const [fields, path, message] of [
    [{ holdoutPercent: '150' }, 'holdoutPercent', /from 0 to 90/],
    [{ segmentId: 'not-a-segment' }, 'segmentId', /choose a segment/],
    [{ sendAt: 'tomorrow' }, 'sendAt', /a date and time/],
    [{ sendAt: zonedLocal(new Date(at.getTime() - 5 * 60_000), zone) }, 'sendAt', /only move later/],
  ] as [Record<string, string>, string, RegExp][]) {
    const answer = await edit(fields);
    expect(answer.status, JSON.stringify(fields)).toBe(200);
    expect(answer.body.record?.errors?.[path]?.message, JSON.stringify(fields)).toMatch(message);
  }
  expect((await campaignNamed('Autumn')).sendAt.toISOString()).toBe(autumn.sendAt.toISOString());

  const later = new Date(autumn.sendAt.getTime() + 2 * 86_400_000);
  const moved = await edit({ sendAt: zonedLocal(later, zone), subject: 'Autumn offers' });
  expect(moved.body.notice).toMatchObject({ type: 'success' });
  expect(await campaignNamed('Autumn')).toMatchObject({ subject: 'Autumn offers', status: 'scheduled' });

  // Its workflow wakes at the first time and finds it moved; then staff bring it back a day sooner
  // (still after the first time), and it sends at that time, not at the one it was waiting for.
  await harness.env.sleep('90 minutes');
  const sooner = new Date(autumn.sendAt.getTime() + 86_400_000);
  expect((await edit({ sendAt: zonedLocal(sooner, zone), subject: 'Autumn offers' })).body.notice).toMatchObject({ type: 'success' });
  const handle = harness.env.client.workflow.getHandle(workflowIds.messageCampaign(autumn.id));
  expect(await handle.result()).toBe('sent');
  const started = (await campaignNamed('Autumn')).startedAt!;
  expect(started.getTime()).toBeGreaterThanOrEqual(sooner.getTime());
  expect(started.getTime()).toBeLessThan(sooner.getTime() + 60_000);
}, 120_000);

it('keeps partner users and care out of message campaigns, the pages and the back office API alike', async () => {
  const campaign = await campaignNamed('Summer is back');
  for (const email of ['partner@tessera.demo', 'care@tessera.demo']) {
    for (const path of [
      '/resources/MessageCampaign/actions/list',
      `/resources/MessageCampaign/records/${campaign.id}/show`,
      '/resources/MessageCampaign/search/Summer',
    ]) {
      const answer = await get(email, path);
      expect([403, 404], `${email} ${path}`).toContain(answer.status);
      expect(JSON.stringify(answer.body), `${email} ${path}`).not.toContain('Summer is back');
    }
    const created = await post(email, '/resources/MessageCampaign/actions/new', { ...valid(), name: 'Sneaky' });
    expect(created.status, email).toBe(403);
    const cancelled = await post(email, `/resources/MessageCampaign/records/${campaign.id}/cancel`, {});
    expect([403, 404], email).toContain(cancelled.status);
  }
  expect(await db().manager.countBy(MessageCampaign, { name: 'Sneaky' })).toBe(0);

  // Nor is it offered in their navigation, nor does its page open.
  const browser = await launchBrowser();
  try {
    const page = await signInToBackOffice(browser, base, 'partner@tessera.demo', demoPassword);
    await page.waitForFunction(() => 'REDUX_STATE' in window);
    const offered = await page.evaluate(() =>
      (window as unknown as { REDUX_STATE: { resources: { id: string; href: string | null }[] } }).REDUX_STATE.resources
        .filter((r) => r.href)
        .map((r) => r.id),
    );
    expect(offered).not.toContain('MessageCampaign');
    await page.goto(`${base}/admin/resources/MessageCampaign/records/${campaign.id}/show`);
    await settle(page);
    expect(await page.locator('body').innerText()).not.toContain('Summer is back');
  } finally {
    await browser.close();
  }
}, 120_000);
