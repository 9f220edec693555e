import { expect, it } from 'vitest';
import { Challenge } from '../entities/index.js';
import { join } from 'node:path';
import { demoPassword } from '../wiring/demo-program.js';
import { demoBackOffice } from './support/demo-back-office.js';
import { artifactsDir, launchBrowser, signInToBackOffice } from './support/browser.js';
import { validChallengeForm } from './support/challenge-form.js';

const demo = demoBackOffice('challenges-back-office-test');
const { post, get, partnerIds, operator, partner } = demo;
const valid = validChallengeForm;

it('saves challenges from the back office, names the field of a bad input, and keeps partners to their own', async () => {
  const count = () => demo.harness.db.dataSource.manager.count(Challenge);
  // Bad input: each refusal under its field, nothing saved.
  for (const [fields, field, message] of [
    [{ target: '0' }, 'target', /whole number above 0/],
    [{ name: ' ' }, 'name', /required/],
    [{ metric: 'steps' }, 'metric', /one of/],
    [{ period: 'once' }, 'endsAt', /required for a one-off/],
    [{ timeZone: 'Mars/Olympus' }, 'timeZone', /time zone/],
    [{ segmentId: '00000000-0000-4000-8000-000000000000' }, 'segmentId', /choose a segment/],
    [{ partnerId: partnerIds.fitapp, fundingPartnerId: partnerIds.koffie }, 'fundingPartnerId', /paid by that partner/],
  ] as [Record<string, string>, string, RegExp][]) {
    const answer = await post(operator, '/resources/Challenge/actions/new', { ...valid, ...fields });
    expect(answer.body.record?.errors?.[field]?.message, `${field} for ${JSON.stringify(fields)}`).toMatch(message);
  }
  expect(await count()).toBe(0);

  // The operator sets one up for FitApp; the partner user sets up its own, whatever partner its form names.
  const fitapp = await post(operator, '/resources/Challenge/actions/new', {
    ...valid,
    name: 'FitApp streak',
    partnerId: partnerIds.fitapp,
  });
  expect(fitapp.body.notice).toMatchObject({ type: 'success' });
  const own = await post(partner, '/resources/Challenge/actions/new', { ...valid, partnerId: partnerIds.fitapp });
  expect(own.body.notice).toMatchObject({ type: 'success' });
  const saved = await demo.harness.db.dataSource.manager.find(Challenge, { order: { name: 'ASC' } });
  expect(saved.map((c) => [c.name, c.partnerId, c.fundingPartnerId])).toEqual([
    // Left without a payer, FitApp's challenge is paid by FitApp (as the field's help says).
    ['FitApp streak', partnerIds.fitapp, partnerIds.fitapp],
    ['Three coffees a week', partnerIds.koffie, partnerIds.koffie],
  ]);
  const [fitappChallenge, koffieChallenge] = saved as [Challenge, Challenge];

  // Names, not ids: the list shows the partner by name.
  const list = await get(operator, '/resources/Challenge/actions/list');
  expect(list.status, JSON.stringify(list.body).slice(0, 300)).toBe(200);
  const row = list.body.records.find((r: { id: string }) => r.id === fitappChallenge.id);
  expect(row.populated.partnerId.title).toBe('FitApp');

  // The partner user sees only its own, and cannot open or change FitApp's.
  const theirs = await get(partner, '/resources/Challenge/actions/list');
  expect(theirs.body.records.map((r: { id: string }) => r.id)).toEqual([koffieChallenge.id]);
  const other = await get(partner, `/resources/Challenge/records/${fitappChallenge.id}/show`);
  expect(other.body?.record?.params?.name).toBeUndefined();
  await post(partner, `/resources/Challenge/records/${fitappChallenge.id}/edit`, { ...valid, name: 'Taken over' });
  expect((await demo.harness.db.dataSource.manager.findOneByOrFail(Challenge, { id: fitappChallenge.id })).name).toBe('FitApp streak');

  // In the browser: the list and a page name the partners, never an id.
  const browser = await launchBrowser();
  try {
    const page = await signInToBackOffice(browser, demo.base, operator, demoPassword);
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
    await page.goto(`${demo.base}/admin/resources/Challenge`);
    await expect.poll(() => page.locator('table tbody tr').count(), { timeout: 20_000 }).toBe(2);
    const listText = await page.locator('table tbody').innerText();
    await page.screenshot({ path: join(artifactsDir, 'challenges-back-office-list.png'), fullPage: true });
    expect(listText).toMatch(/FitApp streak[\s\S]*FitApp/);
    expect(listText).toContain('Koffie Corner');
    // Choices read as written: AdminJS's own display would capitalise every word and drop the brackets.
    expect(listText).toContain('Every week (Monday to Sunday)');
    // The page says what it lists, as every list of the back office does (not AdminJS's "List" under "Challenge").
    await page.getByRole('heading', { name: /^Challenges/ }).waitFor({ timeout: 5_000 });
    expect(listText).not.toMatch(uuid);
    await page.goto(`${demo.base}/admin/resources/Challenge/records/${koffieChallenge.id}/show`);
    await expect.poll(() => page.locator('[data-testid^="property-show-"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const showText = await page.locator('[data-testid^="property-show-"]').allInnerTexts();
    await page.screenshot({ path: join(artifactsDir, 'challenges-back-office-show.png'), fullPage: true });
    expect(showText.join('\n')).toContain('Koffie Corner');
    expect(showText.join('\n')).not.toMatch(uuid);
  } finally {
    await browser.close();
  }
}, 180_000);
