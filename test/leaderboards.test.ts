import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Company, CompanyEmployee, EarningRule, LeaderboardRound, Member, ProgramSettings, Segment } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { payLeaderboardPrizes } from '../loyalty/engagement/leaderboard-close.js';
import { saveLeaderboard } from '../loyalty/engagement/leaderboard-form.js';
import { setLeaderboardNameConsent } from '../loyalty/engagement/leaderboard-ranking.js';
import { balanceOf } from '../loyalty/ledger/accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { memberWithAccount, resolveCustomer } from '../loyalty/member-identity.js';
import { enrollMember } from '../loyalty/members.js';
import { leaderboardCloseWorkflow } from '../workflows/leaderboard-close.workflow.js';
import { workflowIds } from '../workflows/process-dispatch.js';
import { createWebApp } from '../wiring/web-app.js';
import { join } from 'node:path';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { portalRouter } from '../portal/portal-router.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { createProgram } from './support/program.js';
import { startTimeSkippingServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
let server: Server;

beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'leaderboards-test');
  // Time moves only when the test says so: the period's close waits on its timer meanwhile.
  await harness.env.connection.testService!.lockTimeSkipping({});
}, 300_000);
afterAll(async () => {
  server?.close();
  await harness?.stop();
});

it('ranks a week by points earned (ties share a rank, names only by consent, scoped by company, segment and partner), then freezes it at its end, pays its prizes once and keeps it frozen', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62 });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  const a = await p.partner(100_000);
  const b = await p.partner(100_000);
  const keyA = (await issueApiKey(db.manager, a.partner.id, 'test')).secret;
  const keyB = (await issueApiKey(db.manager, b.partner.id, 'test')).secret;
  const startsAt = new Date(Date.now() - 86_400_000).toISOString();
  const weekly = await inTransaction(db, (m) =>
    saveLeaderboard(
      m,
      {
        name: 'Top earners of the week',
        metric: 'points_earned',
        period: 'weekly',
        timeZone: 'Europe/Amsterdam',
        startsAt,
        prizes: '1: 1000, 2-3: 500',
        fundingPartnerId: a.partner.id,
        status: 'live',
      },
      { kind: 'operator' },
    ),
  );
  // The same week among one company's employees, and among a segment nobody is in.
  const boss = await enrollMember(db.manager, { externalId: `acme-${randomUUID()}`, email: `acme-${randomUUID()}@example.test` });
  const acme = await db.manager.save(
    db.manager.create(Company, { name: `Acme ${randomUUID()}`, memberId: boss.member.id, createdBy: 'test' }),
  );
  const byCompany = await inTransaction(db, (m) =>
    saveLeaderboard(
      m,
      { name: 'Acme league', metric: 'points_earned', period: 'weekly', startsAt, companyId: acme.id, status: 'live' },
      {
        kind: 'operator',
      },
    ),
  );
  const nobody = await db.manager.save(
    db.manager.create(Segment, { name: 'Millionaires', conditions: { balanceMin: 1_000_000 }, createdBy: 'test' }),
  );
  const bySegment = await inTransaction(db, (m) =>
    saveLeaderboard(
      m,
      { name: 'Millionaires league', metric: 'points_earned', period: 'weekly', startsAt, segmentId: nobody.id, status: 'live' },
      {
        kind: 'operator',
      },
    ),
  );
  // Partner B's own leaderboard: private to it.
  const privateToB = await inTransaction(db, (m) =>
    saveLeaderboard(
      m,
      { name: "B's regulars", metric: 'points_earned', period: 'monthly', startsAt, status: 'live' },
      {
        kind: 'partner',
        partnerId: b.partner.id,
      },
    ),
  );
  // Ranked by a challenge's metric: purchases this month (a target no one reaches).
  const purchases = await inTransaction(db, (m) =>
    saveChallenge(
      m,
      p.ledger,
      { name: 'Most purchases', metric: 'purchase_count', target: '100', period: 'monthly', startsAt, rewardPoints: '1', status: 'live' },
      { kind: 'operator' },
    ),
  );
  const byChallenge = await inTransaction(db, (m) =>
    saveLeaderboard(
      m,
      { name: 'Most purchases', metric: 'challenge', challengeId: purchases.id, period: 'monthly', startsAt, status: 'live' },
      { kind: 'operator' },
    ),
  );
  forgetProgramConfiguration(db);

  const codes = { secret: 'test-code-secret', messenger: { sendCode: async () => undefined } };
  server = createWebApp({
    health: {},
    api: { dataSource: db, ledger: p.ledger, processes: harness.processes },
    portal: portalRouter({ dataSource: db, codes, publicUrl: 'http://127.0.0.1', ledger: p.ledger }),
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const post = (body: object) =>
    fetch(`${api}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify(body),
    });
  const get = (key: string, path: string) => fetch(`${api}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const scoreOf = async (leaderboardId: string) =>
    Number((await db.query(`SELECT coalesce(sum(score), 0) AS s FROM leaderboard_score WHERE "leaderboardId" = $1`, [leaderboardId]))[0].s);

  // Ann works at Acme (an employee since before her purchase); the others do not.
  const ann = (await p.member('ann', a.partner.id)).member;
  await db.manager.insert(CompanyEmployee, {
    companyId: acme.id,
    address: 'ann@acme.test',
    channel: 'email',
    memberId: ann.id,
    addedBy: boss.member.id,
  });
  // Bob and Cat tie at 30 points; Bob reached it first.
  const now = Date.now();
  const spent = { ann: 5_000, bob: 3_000, cat: 3_000, dan: 1_000 };
  // Seconds apart, not minutes: the first minutes of a week or month would split them across periods.
  let second = 5;
  for (const [who, amountCents] of Object.entries(spent)) {
    const answer = await post({
      member: { externalId: who },
      type: 'purchase',
      amountCents,
      currency: 'EUR',
      occurredAt: new Date(now - second-- * 1_000).toISOString(),
    });
    expect(answer.status).toBe(201);
  }
  await expect.poll(() => scoreOf(weekly.id), { timeout: 30_000 }).toBe(120);
  await expect.poll(() => scoreOf(byChallenge.id), { timeout: 30_000 }).toBe(4);
  const member = async (who: string) => (await resolveCustomer(db.manager, { partnerId: a.partner.id, customerId: who })).member;
  const bob = await member('bob');
  const cat = await member('cat');
  // Ann shows her name; Bob has one but did not agree; Cat agreed but has none.
  await db.manager.update(Member, { id: ann.id }, { displayName: 'Ann A.' });
  await db.manager.update(Member, { id: bob.id }, { displayName: 'Bob B.' });
  await setLeaderboardNameConsent(db.manager, ann.id, true);
  await setLeaderboardNameConsent(db.manager, cat.id, true);

  const ranking = await get(keyA, `/leaderboards/${weekly.id}?member=cat`);
  expect(ranking.status).toBe(200);
  const body = await ranking.json();
  expect(body).toMatchObject({ name: 'Top earners of the week', final: false, member: { externalId: 'cat', rank: 2, score: 30 } });
  expect(body.top).toEqual([
    { rank: 1, name: 'Ann A.', score: 50 },
    { rank: 2, name: 'Anonymous member', score: 30 },
    { rank: 2, name: 'Anonymous member', score: 30 },
    { rank: 4, name: 'Anonymous member', score: 10 },
  ]);
  // Nothing that identifies a member who did not agree: no e-mail, no id, not Bob's name.
  expect(JSON.stringify(body.top)).not.toMatch(/@|bob|dan|Bob B\./i);
  // A challenge's metric: everyone made one purchase, so all share the first rank.
  expect((await (await get(keyA, `/leaderboards/${byChallenge.id}`)).json()).top.map((r: { rank: number }) => r.rank)).toEqual([
    1, 1, 1, 1,
  ]);

  // Scoped: the company's employees only, and a segment nobody is in.
  const company = await (await get(keyA, `/leaderboards/${byCompany.id}`)).json();
  expect(company.top).toEqual([{ rank: 1, name: 'Ann A.', score: 50 }]);
  expect(await scoreOf(bySegment.id)).toBe(0);
  // Partner B's leaderboard does not exist for A, nor a made-up one, nor a malformed period.
  const hidden = await get(keyA, `/leaderboards/${privateToB.id}`);
  expect(hidden.status).toBe(404);
  expect((await hidden.json()).code).toBe('leaderboard_not_found');
  expect((await get(keyA, `/leaderboards/${randomUUID()}`)).status).toBe(404);
  expect((await get(keyB, `/leaderboards/${privateToB.id}`)).status).toBe(200);
  const badPeriod = await get(keyA, `/leaderboards/${weekly.id}?period=last-week`);
  expect(badPeriod.status).toBe(400);
  expect(JSON.stringify(await badPeriod.json())).toContain('period');

  // Bob's dashboard: the top 10 and his own rank; he chooses to show his name, and then it shows.
  const origin = api.replace('/api/v1', '');
  const browser = await launchBrowser();
  try {
    const session = await openMemberSession(db.manager, { memberId: bob.id, partnerId: null });
    await browser.addCookies([{ name: 'tessera_member', value: session.token, domain: new URL(origin).hostname, path: '/' }]);
    const tab = await browser.newPage();
    await tab.goto(`${origin}/member`);
    const section = tab.locator('section[aria-labelledby="leaderboards"]');
    await expect.poll(() => section.count()).toBe(1);
    expect(await section.getByText('Others see you as an anonymous member.').count()).toBe(1);
    await section.getByRole('button', { name: 'Show my name' }).click();
    await expect.poll(() => section.getByText('Others see your display name on leaderboards.').count()).toBe(1);
    const week = section.locator('article', { hasText: 'Top earners of the week' });
    expect(await week.getByText('You are number 2 with 30.').count()).toBe(1);
    expect(await week.locator('tr.you').innerText()).toMatch(/2\s+Bob B\. \(you\)\s+30/);
    await tab.screenshot({ path: join(artifactsDir, 'leaderboards-dashboard.png'), fullPage: true });
  } finally {
    await browser.close();
  }
  expect((await (await get(keyA, `/leaderboards/${weekly.id}`)).json()).top[1]).toEqual({ rank: 2, name: 'Bob B.', score: 30 });

  // The week's end: the close workflow, queued with the week's first score, waits on its timer.
  const round = await db.manager.findOneByOrFail(LeaderboardRound, { leaderboardId: weekly.id });
  const client = new Client({ connection: harness.env.connection, namespace: harness.env.namespace });
  const close = client.workflow.getHandle(workflowIds.leaderboardClose(round.id));
  await expect
    .poll(async () => (await close.describe().catch(() => null))?.historyLength ?? 0, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(5);
  const walletBefore = await p.posted(a.wallet.id);
  const until = round.endsAt.getTime() - (await harness.env.currentTimeMs());
  await harness.env.sleep(until - 60_000);
  expect(await db.manager.findOneByOrFail(LeaderboardRound, { id: round.id })).toMatchObject({ frozenAt: null });
  await harness.env.sleep(120_000);
  expect(await close.result()).toEqual({ standings: 4, paid: 2_000 });

  const balance = async (id: string) => (await balanceOf(db.manager, (await memberWithAccount(db.manager, id)).account.id)).posted;
  // Prizes by place: Ann first; of the tie at 30, Bob reached it first (place 2) and Cat second (place 3): both in the 2-3 range.
  expect(await balance(ann.id)).toBe(50 + 1_000);
  expect(await balance(bob.id)).toBe(30 + 500);
  expect(await balance(cat.id)).toBe(30 + 500);
  expect(await balance((await member('dan')).id)).toBe(10);
  expect(await p.posted(a.wallet.id)).toBe(walletBefore - 2_000);

  // A doubled close and a retried payment pay nothing more.
  const again = await client.workflow.execute(leaderboardCloseWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: `leaderboard-close-again-${round.id}`,
    args: [round.id],
  });
  expect(again).toEqual({ standings: 4, paid: 0 });
  expect(await payLeaderboardPrizes(db, p.ledger, round.id)).toBe(0);
  expect(await p.posted(a.wallet.id)).toBe(walletBefore - 2_000);

  // A late event dated in the frozen week changes nothing in its final ranking.
  const late = await post({
    member: { externalId: 'dan' },
    type: 'purchase',
    amountCents: 90_000,
    currency: 'EUR',
    occurredAt: new Date(now).toISOString(),
  });
  expect(late.status).toBe(201);
  const lateId = (await late.json()).id;
  // Its scoring step ran (started once the API's write committed) and found the week frozen.
  const scoring = client.workflow.getHandle(workflowIds.leaderboardScore(lateId));
  await expect.poll(() => scoring.result().catch(() => 'not started yet'), { timeout: 30_000 }).toBe(0);
  const frozen = await (await get(keyA, `/leaderboards/${weekly.id}?period=${round.periodKey}&member=dan`)).json();
  expect(frozen).toMatchObject({ final: true, member: { rank: 4, score: 10 } });
  expect(frozen.top.map((r: { score: number }) => r.score)).toEqual([50, 30, 30, 10]);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 180_000);
