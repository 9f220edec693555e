import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Badge, EarningRule, MemberBadge, MemberLink, ProgramSettings, Tier, WebhookEndpoint } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { awardRuleBadges } from '../loyalty/engagement/badge-awards.js';
import { saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { saveLeaderboard } from '../loyalty/engagement/leaderboard-form.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { badgeAwarded } from '../loyalty/webhook-events.js';
import { portalRouter } from '../portal/portal-router.js';
import { createWebApp } from '../wiring/web-app.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
const servers: Server[] = [];
/** badge.awarded deliveries the partners received, by partner. */
const hooks: Record<string, { event: string; data: Record<string, unknown> }[]> = { a: [], b: [] };

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'badges-test');
}, 120_000);
afterAll(async () => {
  for (const server of servers) server.close();
  await harness?.stop();
});

it('awards badges by rule and by challenge once per member, tells the partners once, and shows them to whom it may', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1 });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await db.manager.insert(Tier, [
    { code: 'explorer', name: 'Base', threshold: 0, multiplier: 1, levelName: 'Explorer', levelEmblem: 'compass' },
    { code: 'adventurer', name: 'Silver', threshold: 200, multiplier: 1, levelName: 'Adventurer', levelEmblem: 'crown' },
  ]);
  const a = await p.partner(100_000);
  const b = await p.partner(100_000);
  const keyA = (await issueApiKey(db.manager, a.partner.id, 'test')).secret;
  const keyB = (await issueApiKey(db.manager, b.partner.id, 'test')).secret;
  const receiver = (who: 'a' | 'b') =>
    express().post('/hooks', express.json(), (req, res) => {
      hooks[who]!.push(req.body);
      res.status(204).end();
    });
  await db.manager.insert(WebhookEndpoint, [
    { partnerId: a.partner.id, url: `${await listen(receiver('a'))}/hooks`, events: ['badge.awarded'], secret: 'whsec-a' },
    { partnerId: b.partner.id, url: `${await listen(receiver('b'))}/hooks`, events: ['badge.awarded'], secret: 'whsec-b' },
  ]);
  const badge = (fields: Partial<Badge>) =>
    db.manager.save(
      db.manager.create(Badge, { description: '', emblem: 'star', colour: '#c27c0e', status: 'live', threshold: null, ...fields }),
    );
  const first = await badge({ name: 'First purchase', description: 'Your first purchase in the program', rule: 'first_purchase' });
  const tenth = await badge({ name: '10 visits', description: 'Ten purchases', emblem: 'trophy', rule: 'purchase_count', threshold: 10 });
  const challenger = await badge({
    name: 'Challenger',
    description: 'Bought 3 times in a month',
    emblem: 'flame',
    colour: '#a4141b',
    rule: 'challenge',
  });
  // A's private badge: B must never see it, nor hear of it.
  const aFan = await badge({
    name: 'A fan',
    description: 'Two purchases at A',
    emblem: 'heart',
    partnerId: a.partner.id,
    rule: 'purchase_count',
    threshold: 2,
  });
  // The program's, with markup in its fields: members receive it as text.
  const sneaky = await badge({
    name: '<script>alert("name")</script>Explorer',
    description: '<img src=x onerror=alert(1)>Tried 2 stores',
    emblem: 'compass',
    rule: 'distinct_partners',
    threshold: 2,
  });
  const monthly = await inTransaction(db, (m) =>
    saveChallenge(
      m,
      p.ledger,
      {
        name: 'Buy 3 times this month',
        metric: 'purchase_count',
        target: '3',
        period: 'monthly',
        startsAt: '2026-01-01T00:00:00Z',
        rewardPoints: '100',
        status: 'live',
        badgeId: challenger.id,
      },
      { kind: 'operator' },
    ),
  );
  expect(monthly.badgeId).toBe(challenger.id);
  // A leaderboard of the week's points, so the dashboard shows all three together.
  await inTransaction(db, (m) =>
    saveLeaderboard(
      m,
      {
        name: 'Top earners of the week',
        metric: 'points_earned',
        period: 'weekly',
        startsAt: '2026-01-01T00:00:00Z',
        prizes: '1: 500',
        status: 'live',
      },
      { kind: 'operator' },
    ),
  );
  forgetProgramConfiguration(db);

  const codes = { secret: 'test-code-secret', messenger: { sendCode: async () => undefined } };
  const api = await listen(
    createWebApp({
      health: {},
      api: { dataSource: db, ledger: p.ledger, processes: harness.processes },
      portal: portalRouter({ dataSource: db, codes, publicUrl: 'http://127.0.0.1', ledger: p.ledger }),
    }),
  );
  const post = (key: string, body: object, idempotencyKey = randomUUID()) =>
    fetch(`${api}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
    });
  const get = (key: string, path: string) => fetch(`${api}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
  const purchase = (externalId: string) => ({ member: { externalId }, type: 'purchase', amountCents: 1_000, currency: 'EUR' });
  const awards = (badgeId: string, memberId: string) => db.manager.countBy(MemberBadge, { badgeId, memberId });
  const hooksFor = (who: 'a' | 'b', badgeId: string) => hooks[who]!.filter((h) => h.data.badge === badgeId);

  // Ann's first purchases: three at once, one of them sent twice.
  expect((await post(keyA, { member: { externalId: 'ann' }, type: 'review' })).status).toBe(201);
  const replayed = randomUUID();
  const answers = await Promise.all([
    post(keyA, purchase('ann'), replayed),
    post(keyA, purchase('ann')),
    post(keyA, purchase('ann')),
    post(keyA, purchase('ann'), replayed),
  ]);
  expect(answers.every((r) => r.status === 201 || r.status === 409)).toBe(true);
  const ann = await resolveCustomer(db.manager, { partnerId: a.partner.id, customerId: 'ann' });
  await expect.poll(() => awards(challenger.id, ann.member.id), { timeout: 30_000 }).toBe(1);
  await expect.poll(() => awards(aFan.id, ann.member.id), { timeout: 30_000 }).toBe(1);
  expect(await awards(first.id, ann.member.id)).toBe(1);
  expect((await db.manager.findOneByOrFail(MemberBadge, { badgeId: challenger.id, memberId: ann.member.id })).challengeId).toBe(monthly.id);

  // Replayed steps (every event's badge step and challenge step again, at once) award nothing more.
  const events: { id: string }[] = await db.query(`SELECT id FROM member_event WHERE "memberId" = $1 AND type = 'purchase'`, [
    ann.member.id,
  ]);
  expect(events).toHaveLength(3);
  const again = await Promise.all([
    ...events.map((e) => awardRuleBadges(db, e.id)),
    ...events.map((e) => countChallengeProgress(db, p.ledger, e.id)),
  ]);
  expect(again.flatMap((r) => ('awarded' in r ? r.awarded : []))).toEqual([]);
  expect(await db.manager.countBy(MemberBadge, { memberId: ann.member.id })).toBe(3);

  // The webhook: once per badge, to A only, matching its schema.
  await expect.poll(() => hooks.a!.length, { timeout: 30_000 }).toBe(3);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(hooks.a).toHaveLength(3);
  expect(hooks.b).toHaveLength(0);
  for (const hook of hooks.a!) expect(hook.event).toBe('badge.awarded');
  expect(badgeAwarded.parse(hooksFor('a', first.id)[0]!.data)).toMatchObject({
    name: 'First purchase',
    member: 'ann',
    reason: 'first_purchase',
    challenge: null,
  });
  expect(badgeAwarded.parse(hooksFor('a', challenger.id)[0]!.data)).toMatchObject({
    reason: 'challenge',
    challenge: monthly.id,
    member: 'ann',
  });

  // The tenth purchase awards "10 visits", not the ninth.
  for (let n = 4; n <= 9; n++) expect((await post(keyA, purchase('ann'))).status).toBe(201);
  await expect
    .poll(() => db.query(`SELECT 1 FROM outbox_entry WHERE process = 'badge_award' AND "dispatchedAt" IS NULL`), { timeout: 30_000 })
    .toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(await awards(tenth.id, ann.member.id)).toBe(0);
  expect((await post(keyA, purchase('ann'))).status).toBe(201);
  await expect.poll(() => awards(tenth.id, ann.member.id), { timeout: 30_000 }).toBe(1);
  await expect.poll(() => hooksFor('a', tenth.id).length, { timeout: 30_000 }).toBe(1);

  // A purchase at B by Ann (B knows her as ann-b): the program's "two stores" badge goes to B's hook; A's private badge never.
  await db.manager.insert(MemberLink, { partnerId: b.partner.id, customerId: 'ann-b', memberId: ann.member.id, cause: 'store' });
  expect((await post(keyB, purchase('ann-b'))).status).toBe(201);
  await expect.poll(() => hooksFor('b', sneaky.id).length, { timeout: 30_000 }).toBe(1);
  expect(badgeAwarded.parse(hooksFor('b', sneaky.id)[0]!.data)).toMatchObject({ member: 'ann-b', reason: 'distinct_partners' });
  expect(hooks.b!.map((h) => h.data.badge)).not.toContain(aFan.id);

  // The partner API: A sees the program's badges and its own; B never sees A's private one.
  const listA = await (await get(keyA, '/members/ann/badges')).json();
  expect(listA.badges.map((x: { name: string }) => x.name).sort()).toEqual(
    ['10 visits', 'A fan', 'Challenger', 'First purchase', sneaky.name].sort(),
  );
  const fromA = listA.badges.find((x: { id: string }) => x.id === aFan.id);
  expect(fromA).toMatchObject({ owner: 'partner', emblem: 'heart', colour: '#c27c0e', rule: 'purchase_count' });
  expect(Buffer.from(fromA.image.replace('data:image/svg+xml;base64,', ''), 'base64').toString()).toMatch(/^<svg [^>]*xmlns/);
  const listB = await (await get(keyB, '/members/ann-b/badges')).json();
  expect(listB.badges.map((x: { id: string }) => x.id)).not.toContain(aFan.id);
  expect(listB.badges).toHaveLength(4);
  expect((await get(keyB, '/members/nobody/badges')).status).toBe(404);

  // Bo: one purchase, on his way in the challenge; his dashboard shows challenges, badges and level together.
  expect((await post(keyA, purchase('bo'))).status).toBe(201);
  const bo = await resolveCustomer(db.manager, { partnerId: a.partner.id, customerId: 'bo' });
  await expect.poll(() => awards(first.id, bo.member.id), { timeout: 30_000 }).toBe(1);
  const session = await openMemberSession(db.manager, { memberId: bo.member.id, partnerId: null });
  const page = await (await fetch(`${api}/member`, { headers: { cookie: `tessera_member=${session.token}` } })).text();
  expect(page).toContain('<h2 id="badges">Badges</h2>');
  expect(page).not.toContain('<script>alert');
  expect(page).not.toContain('<img src=x');
  expect(page).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;Explorer');
  expect(page).toContain('9 more purchases to go');
  const annSession = await openMemberSession(db.manager, { memberId: ann.member.id, partnerId: null });
  const annPage = await (await fetch(`${api}/member`, { headers: { cookie: `tessera_member=${annSession.token}` } })).text();
  expect(annPage).toMatch(/<h3>10 visits<\/h3>\s*<p>Ten purchases<\/p><p class="hint">Earned on \d{4}-\d{2}-\d{2}<\/p>/);
  expect(annPage).not.toContain('Still to earn');

  const browser = await launchBrowser();
  try {
    const origin = new URL(api);
    await browser.addCookies([{ name: 'tessera_member', value: session.token, domain: origin.hostname, path: '/' }]);
    const tab = await browser.newPage();
    await tab.goto(`${api}/member`);
    await expect.poll(() => tab.locator('#badges').count()).toBe(1);
    expect(await tab.locator('#challenges').count()).toBe(1);
    expect(await tab.getByText('2 purchases to go for 100 points').count()).toBe(1);
    expect(await tab.locator('ul.badges li:not(.to-earn) h3').allInnerTexts()).toEqual(['First purchase']);
    expect(await tab.locator('li.to-earn h3').allInnerTexts()).toContain('10 visits');
    expect(await tab.getByText('Your level: Explorer').count()).toBe(1);
    expect(await tab.getByText(/more qualifying points to reach level Adventurer/).count()).toBe(1);
    // Bo's purchase this week put him on the leaderboard (scored in its own step after the purchase).
    await expect
      .poll(async () => {
        await tab.reload();
        return tab.locator('#leaderboards ~ article h3').allInnerTexts();
      })
      .toEqual([expect.stringContaining('Top earners of the week')]);
    expect(await tab.locator('section:has(#leaderboards)').innerText()).toMatch(/You are number \d+ with/);
    expect(await tab.locator('section:has(#leaderboards) tr.you').count()).toBe(1);
    const challenges = await tab.locator('#challenges').boundingBox();
    await tab.locator('#challenges').scrollIntoViewIfNeeded();
    await tab.setViewportSize({ width: 900, height: Math.ceil((challenges?.y ?? 0) + 1_100) });
    await tab.screenshot({ path: join(artifactsDir, 'engagement-dashboard.png'), fullPage: true });
  } finally {
    await browser.close();
  }

  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 240_000);
