import { expect, it } from 'vitest';
import { Leaderboard } from '../entities/index.js';
import { join } from 'node:path';
import { demoPassword } from '../wiring/demo-program.js';
import { demoBackOffice } from './support/demo-back-office.js';
import { artifactsDir, launchBrowser, signInToBackOffice } from './support/browser.js';

const demo = demoBackOffice('leaderboards-back-office-test');
const { post, get, partnerIds, operator, partner } = demo;
/** A leaderboard form as the back office posts it, valid in every field: the test spoils one field at a time. */
const valid = {
  name: 'Coffee lovers of the week',
  metric: 'points_earned',
  period: 'weekly',
  timeZone: 'Europe/Amsterdam',
  startsAt: '2026-01-01T00:00:00.000Z',
  prizes: '1: 1000, 2-3: 500',
  status: 'live',
};

it('saves leaderboards from the back office, names the field of a bad input, and keeps partners to their own', async () => {
  const count = () => demo.harness.db.dataSource.manager.count(Leaderboard);
  // Bad input: each refusal under its field, nothing saved.
  for (const [fields, field, message] of [
    [{ name: ' ' }, 'name', /required/],
    [{ metric: 'steps' }, 'metric', /one of/],
    [{ period: 'once' }, 'endsAt', /required for a one-off/],
    [{ timeZone: 'Mars/Olympus' }, 'timeZone', /time zone/],
    [{ prizes: 'first: lots' }, 'prizes', /places and points/],
    [{ prizes: '1-3: 500, 2: 100' }, 'prizes', /not overlap/],
    [{ metric: 'challenge' }, 'challengeId', /choose the challenge/],
    [{ companyId: '00000000-0000-4000-8000-000000000000' }, 'companyId', /choose a company/],
    [{ segmentId: '00000000-0000-4000-8000-000000000000' }, 'segmentId', /choose a segment/],
    [{ partnerId: partnerIds.fitapp, fundingPartnerId: partnerIds.koffie }, 'fundingPartnerId', /paid by that partner/],
  ] as [Record<string, string>, string, RegExp][]) {
    const answer = await post(operator, '/resources/Leaderboard/actions/new', { ...valid, ...fields });
    expect(answer.body.record?.errors?.[field]?.message, `${field} for ${JSON.stringify(fields)}`).toMatch(message);
  }
  expect(await count()).toBe(0);

  // The operator sets one up for FitApp; the partner user sets up its own, whatever partner its form names.
  const fitapp = await post(operator, '/resources/Leaderboard/actions/new', {
    ...valid,
    name: 'FitApp league',
    partnerId: partnerIds.fitapp,
  });
  expect(fitapp.body.notice).toMatchObject({ type: 'success' });
  const own = await post(partner, '/resources/Leaderboard/actions/new', { ...valid, partnerId: partnerIds.fitapp });
  expect(own.body.notice).toMatchObject({ type: 'success' });
  const saved = await demo.harness.db.dataSource.manager.find(Leaderboard, { order: { name: 'ASC' } });
  expect(saved.map((c) => [c.name, c.partnerId, c.fundingPartnerId, c.prizes])).toEqual([
    [
      'Coffee lovers of the week',
      partnerIds.koffie,
      partnerIds.koffie,
      [
        { fromRank: 1, toRank: 1, points: 1000 },
        { fromRank: 2, toRank: 3, points: 500 },
      ],
    ],
    [
      'FitApp league',
      partnerIds.fitapp,
      partnerIds.fitapp, // set up by the operator with no payer named: the partner pays, as for challenges
      [
        { fromRank: 1, toRank: 1, points: 1000 },
        { fromRank: 2, toRank: 3, points: 500 },
      ],
    ],
  ]);
  const [koffieBoard, fitappBoard] = saved as [Leaderboard, Leaderboard];

  // Names, not ids: the list shows the partner by name; prizes read as they were written.
  const list = await get(operator, '/resources/Leaderboard/actions/list');
  expect(list.status, JSON.stringify(list.body).slice(0, 300)).toBe(200);
  const row = list.body.records.find((r: { id: string }) => r.id === fitappBoard.id);
  expect(row.populated.partnerId.title).toBe('FitApp');
  const shown = await get(operator, `/resources/Leaderboard/records/${fitappBoard.id}/show`);
  expect(shown.body.record.params.prizes).toBe('1: 1000, 2-3: 500');

  // The partner user sees only its own, and cannot open or change FitApp's, through AdminJS's own endpoints too.
  const theirs = await get(partner, '/resources/Leaderboard/actions/list');
  expect(theirs.body.records.map((r: { id: string }) => r.id)).toEqual([koffieBoard.id]);
  const other = await get(partner, `/resources/Leaderboard/records/${fitappBoard.id}/show`);
  expect(other.body?.record?.params?.name).toBeUndefined();
  await post(partner, `/resources/Leaderboard/records/${fitappBoard.id}/edit`, { ...valid, name: 'Taken over' });
  expect((await demo.harness.db.dataSource.manager.findOneByOrFail(Leaderboard, { id: fitappBoard.id })).name).toBe('FitApp league');

  // In the browser: the list and a page name the partners, never an id; a bad prize shows under its field.
  const browser = await launchBrowser();
  try {
    const page = await signInToBackOffice(browser, demo.base, operator, demoPassword);
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
    await page.goto(`${demo.base}/admin/resources/Leaderboard`);
    await expect.poll(() => page.locator('table tbody tr').count(), { timeout: 20_000 }).toBe(2);
    const listText = await page.locator('table tbody').innerText();
    await page.screenshot({ path: join(artifactsDir, 'leaderboards-back-office-list.png'), fullPage: true });
    expect(listText).toContain('FitApp');
    expect(listText).toContain('Koffie Corner');
    // Choices read as written: AdminJS's own display would capitalise every word and drop the brackets.
    expect(listText).toContain('Every week (Monday to Sunday)');
    // The page says what it lists, as every list of the back office does (not AdminJS's "List" under "Leaderboard").
    await page.getByRole('heading', { name: /^Leaderboards/ }).waitFor({ timeout: 5_000 });
    expect(listText).not.toMatch(uuid);
    await page.goto(`${demo.base}/admin/resources/Leaderboard/records/${koffieBoard.id}/show`);
    await expect.poll(() => page.locator('[data-testid^="property-show-"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const showText = (await page.locator('[data-testid^="property-show-"]').allInnerTexts()).join('\n');
    await page.screenshot({ path: join(artifactsDir, 'leaderboards-back-office-show.png'), fullPage: true });
    expect(showText).toContain('Koffie Corner');
    expect(showText).toContain('1: 1000, 2-3: 500');
    expect(showText).not.toMatch(uuid);
  } finally {
    await browser.close();
  }
}, 180_000);

it('keeps the prizes of a leaderboard edited in the back office, unless they are emptied on purpose', async () => {
  const db = demo.harness.db.dataSource;
  const created = await post(operator, '/resources/Leaderboard/actions/new', { ...valid, name: 'Prized board' });
  expect(created.body.notice).toMatchObject({ type: 'success' });
  const id = created.body.record.id as string;
  const prizesOf = async () => (await db.manager.findOneByOrFail(Leaderboard, { id })).prizes;
  const written = [
    { fromRank: 1, toRank: 1, points: 1000 },
    { fromRank: 2, toRank: 3, points: 500 },
  ];

  // The edit page opens with the prizes as written.
  const editPage = await get(operator, `/resources/Leaderboard/records/${id}/edit`);
  expect(editPage.status).toBe(200);
  expect.soft(editPage.body.record.params.prizes).toBe('1: 1000, 2-3: 500');
  // A form without the prizes field keeps them.
  const withoutPrizes = Object.fromEntries(Object.entries(valid).filter(([field]) => field !== 'prizes'));
  const renamed = await post(operator, `/resources/Leaderboard/records/${id}/edit`, { ...withoutPrizes, name: 'Prized board, renamed' });
  expect(renamed.body.notice).toMatchObject({ type: 'success' });
  expect.soft(await db.manager.findOneByOrFail(Leaderboard, { id })).toMatchObject({ name: 'Prized board, renamed', prizes: written });
  // The edit page's own form, sent back as it opened, keeps them too.
  const asOpened = Object.fromEntries(
    Object.entries(editPage.body.record.params as Record<string, unknown>)
      .filter(([key, value]) => !key.includes('.') && value !== null && value !== undefined)
      .map(([key, value]) => [key, String(value)]),
  );
  expect((await post(operator, `/resources/Leaderboard/records/${id}/edit`, asOpened)).body.notice).toMatchObject({ type: 'success' });
  expect(await prizesOf()).toEqual(written);
  // Emptied on purpose, they are gone.
  const emptied = await post(operator, `/resources/Leaderboard/records/${id}/edit`, { ...valid, prizes: '' });
  expect(emptied.body.notice).toMatchObject({ type: 'success' });
  expect(await prizesOf()).toEqual([]);
}, 60_000);

it("has a partner's leaderboard set up by the operator with no payer named paid by that partner, as a challenge is", async () => {
  const created = await post(operator, '/resources/Leaderboard/actions/new', {
    ...valid,
    name: 'FitApp sprint',
    partnerId: partnerIds.fitapp,
  });
  expect(created.body.notice).toMatchObject({ type: 'success' });
  expect(await demo.harness.db.dataSource.manager.findOneByOrFail(Leaderboard, { id: created.body.record.id })).toMatchObject({
    partnerId: partnerIds.fitapp,
    fundingPartnerId: partnerIds.fitapp,
  });
}, 60_000);

it("refuses a segment or a company on a partner user's leaderboard (ranks would tell who is in them), under the field, saving nothing", async () => {
  const db = demo.harness.db.dataSource;
  const [segment] = await db.query(`SELECT id FROM segment ORDER BY name LIMIT 1`);
  const [company] = await db.query(`SELECT id FROM company ORDER BY name LIMIT 1`);
  const count = () => db.manager.count(Leaderboard);
  const before = await count();
  for (const [field, value, message] of [
    ['segmentId', segment.id, /segments are the program's/],
    ['companyId', company.id, /companies are the program's/],
  ] as [string, string, RegExp][]) {
    const answer = await post(partner, '/resources/Leaderboard/actions/new', { ...valid, name: 'Aimed', [field]: value });
    expect.soft(answer.body.record?.errors?.[field]?.message, field).toMatch(message);
  }
  expect(await count()).toBe(before);
}, 60_000);
