import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Challenge, ChallengeProgress, EarningRule, LedgerTransfer, ProgramSettings, Segment, WebhookEndpoint } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { creditPurchasedPoints } from '../loyalty/funding.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { ChallengeRefusedError, saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { periodKeyAt } from '../loyalty/engagement/challenge-periods.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { accountByCode, programAccounts } from '../loyalty/ledger/accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { memberWithAccount, resolveCustomer } from '../loyalty/member-identity.js';
import { challengeCompleted } from '../loyalty/webhook-events.js';
import { createWebApp } from '../wiring/web-app.js';
import { join } from 'node:path';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { portalRouter } from '../portal/portal-router.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
const servers: Server[] = [];
/** challenge.completed deliveries the partners received, by partner. */
const hooks: Record<string, { event: string; data: Record<string, unknown> }[]> = { a: [], b: [] };

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'challenges-test');
}, 120_000);
afterAll(async () => {
  for (const server of servers) server.close();
  await harness?.stop();
});

it('counts purchases towards challenges once, pays each completion once, and shows progress only to whom it may', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62 });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
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
    { partnerId: a.partner.id, url: `${await listen(receiver('a'))}/hooks`, events: ['challenge.completed'], secret: 'whsec-a' },
    { partnerId: b.partner.id, url: `${await listen(receiver('b'))}/hooks`, events: ['challenge.completed'], secret: 'whsec-b' },
  ]);

  // Partner A's own monthly challenge, paid from its wallet; the program's, for a segment nobody is in.
  const startsAt = new Date('2026-01-01T00:00:00Z');
  const monthly = await inTransaction(db, (m) =>
    saveChallenge(
      m,
      p.ledger,
      {
        name: 'Buy 3 times this month',
        metric: 'purchase_count',
        target: '3',
        period: 'monthly',
        timeZone: 'UTC',
        startsAt: startsAt.toISOString(),
        rewardPoints: '500',
        status: 'live',
      },
      { kind: 'partner', partnerId: a.partner.id },
    ),
  );
  expect(monthly).toMatchObject({ partnerId: a.partner.id, fundingPartnerId: a.partner.id });
  const nobody = await db.manager.save(
    db.manager.create(Segment, { name: 'Millionaires', conditions: { balanceMin: 1_000_000 }, createdBy: 'test' }),
  );
  const forFew = await inTransaction(db, (m) =>
    saveChallenge(
      m,
      p.ledger,
      {
        name: 'First purchase of the few',
        metric: 'purchase_count',
        target: '1',
        period: 'once',
        startsAt: startsAt.toISOString(),
        endsAt: '2099-01-01T00:00:00Z',
        segmentId: nobody.id,
        rewardPoints: '50',
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
  const purchase = (externalId: string, extra: object = {}) => ({
    member: { externalId },
    type: 'purchase',
    amountCents: 1_000,
    currency: 'EUR',
    ...extra,
  });

  // Ann is enrolled by a first event that is no purchase; then three purchases at once, one of them sent twice.
  expect((await post(keyA, { member: { externalId: 'ann' }, type: 'review' })).status).toBe(201);
  const replayed = randomUUID();
  const answers = await Promise.all([
    post(keyA, purchase('ann'), replayed),
    post(keyA, purchase('ann')),
    post(keyA, purchase('ann')),
    post(keyA, purchase('ann'), replayed),
  ]);
  // The replay answers the first result (or, while the first is in flight, that it is): never a second event.
  expect(answers.map((r) => r.status).filter((s) => s === 201).length).toBeGreaterThanOrEqual(3);
  const ann = await resolveCustomer(db.manager, { partnerId: a.partner.id, customerId: 'ann' });
  const period = periodKeyAt(monthly, new Date())!;
  const progressOf = (challengeId: string, memberId: string, periodKey = period) =>
    db.manager.findOneBy(ChallengeProgress, { challengeId, memberId, periodKey });
  await expect.poll(async () => (await progressOf(monthly.id, ann.member.id))?.completedAt ?? null, { timeout: 30_000 }).not.toBeNull();
  expect((await progressOf(monthly.id, ann.member.id))!.value).toBe(3);

  // Counting the same events again (a re-delivered step, concurrently) adds and pays nothing.
  const events: { id: string }[] = await db.query(`SELECT id FROM member_event WHERE "memberId" = $1 AND type = 'purchase'`, [
    ann.member.id,
  ]);
  expect(events).toHaveLength(3);
  const again = await Promise.all(events.map((e) => countChallengeProgress(db, p.ledger, e.id)));
  expect(again.flatMap((r) => r.counted.map((c) => c.outcome))).toEqual(['already_counted', 'already_counted', 'already_counted']);
  // A fourth purchase this month counts, and pays nothing more.
  expect((await post(keyA, purchase('ann'))).status).toBe(201);
  await expect.poll(async () => (await progressOf(monthly.id, ann.member.id))!.value, { timeout: 30_000 }).toBe(3);

  const rewards = () =>
    db.manager.createQueryBuilder(LedgerTransfer, 't').where(`t."references"->>'challenge' = :id`, { id: monthly.id }).getMany();
  expect(await rewards()).toHaveLength(1);
  const [reward] = await rewards();
  expect(reward).toMatchObject({
    amount: 500,
    kind: 'bonus',
    creditAccountId: ann.account.id,
    idempotencyKey: `challenge:${monthly.id}:${ann.member.id}:${period}`,
  });
  expect(reward!.debitAccountId).toBe(a.wallet.id);
  // 4 purchases of 10 points, and the reward once.
  expect(await p.available(ann.account.id)).toBe(4 * 10 + 500);

  // The webhook: once, to A, with the documented payload.
  await expect.poll(() => hooks.a!.length, { timeout: 30_000 }).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(hooks.a).toHaveLength(1);
  const [hook] = hooks.a!;
  expect(hook!.event).toBe('challenge.completed');
  expect(challengeCompleted.parse(hook!.data)).toMatchObject({
    challenge: monthly.id,
    member: 'ann',
    period,
    target: 3,
    points: 500,
  });
  expect(hooks.b).toHaveLength(0);

  // Bo: two purchases this month and one the month before: this month's progress is 2, not done.
  const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1) - 86_400_000);
  expect((await post(keyA, purchase('bo'))).status).toBe(201);
  expect((await post(keyA, purchase('bo', { occurredAt: lastMonth.toISOString() }))).status).toBe(201);
  expect((await post(keyA, purchase('bo'))).status).toBe(201);
  const bo = await resolveCustomer(db.manager, { partnerId: a.partner.id, customerId: 'bo' });
  await expect.poll(async () => (await progressOf(monthly.id, bo.member.id))?.value ?? 0, { timeout: 30_000 }).toBe(2);
  await expect.poll(async () => (await progressOf(monthly.id, bo.member.id, periodKeyAt(monthly, lastMonth)!))?.value ?? 0).toBe(1);
  expect((await progressOf(monthly.id, bo.member.id))!.completedAt).toBeNull();
  // Nobody is in the segment: the program's challenge counted no purchase.
  expect(await db.manager.countBy(ChallengeProgress, { challengeId: forFew.id })).toBe(0);

  // A refund takes its purchase out; Ann, with four purchases, still reaches the three asked and keeps the reward.
  const [boEvent] = await db.query(
    `SELECT id FROM member_event WHERE "memberId" = $1 AND type = 'purchase' AND "occurredAt" > $2 ORDER BY "occurredAt" LIMIT 1`,
    [bo.member.id, new Date(lastMonth.getTime() + 86_400_000)],
  );
  const refund = await fetch(`${api}/api/v1/events/${boEvent.id}/refunds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: '{}',
  });
  expect(refund.status).toBe(201);
  expect((await progressOf(monthly.id, bo.member.id))!.value).toBe(1);
  const [annEvent] = events;
  const annRefund = await fetch(`${api}/api/v1/events/${annEvent!.id}/refunds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: '{}',
  });
  expect(annRefund.status).toBe(201);
  expect(await progressOf(monthly.id, ann.member.id)).toMatchObject({ value: 3 });
  expect((await progressOf(monthly.id, ann.member.id))!.completedAt).not.toBeNull();

  // The partner API: A sees its challenge and Ann's progress; B never sees A's private challenge.
  const listA = await (await get(keyA, '/members/ann/challenges')).json();
  expect(listA.challenges).toEqual([
    expect.objectContaining({ id: monthly.id, owner: 'partner', progress: 3, target: 3, completed: true, periodKey: period }),
  ]);
  expect((await post(keyB, purchase('dee'))).status).toBe(201);
  const listB = await (await get(keyB, '/members/dee/challenges')).json();
  expect(listB.challenges.map((c: { id: string }) => c.id)).not.toContain(monthly.id);
  const hidden = await get(keyB, `/members/dee/challenges/${monthly.id}`);
  expect(hidden.status).toBe(404);
  expect(hidden.headers.get('content-type')).toContain('application/problem+json');
  expect(await hidden.json()).toMatchObject({ status: 404, code: 'challenge_not_found', title: 'No such challenge' });
  // Nor Ann's progress on it by A's id for her: B does not know her by it.
  const notYours = await get(keyB, `/members/ann/challenges/${monthly.id}`);
  expect(notYours.status).toBe(404);
  expect((await get(keyA, `/members/ann/challenges/${monthly.id}`)).status).toBe(200);
  // B's purchases never count for A's challenge.
  const dee = await resolveCustomer(db.manager, { partnerId: b.partner.id, customerId: 'dee' });
  expect(await progressOf(monthly.id, dee.member.id)).toBeNull();

  // Ann's dashboard shows the challenge with its progress bar, completed (and Bo's, one of three).
  const session = await openMemberSession(db.manager, { memberId: ann.member.id, partnerId: null });
  const page = await (await fetch(`${api}/member`, { headers: { cookie: `tessera_member=${session.token}` } })).text();
  expect(page).toContain('<h2 id="challenges">Challenges</h2>');
  expect(page).toMatch(/Buy 3 times this month<\/strong>: 3 of 3 purchases this month/);
  expect(page).toContain('max="3" value="3"');
  expect(page).toContain('<strong>Completed</strong>: 500 points paid');
  const boSession = await openMemberSession(db.manager, { memberId: bo.member.id, partnerId: null });
  const browser = await launchBrowser();
  try {
    const origin = new URL(api);
    await browser.addCookies([{ name: 'tessera_member', value: boSession.token, domain: origin.hostname, path: '/' }]);
    const tab = await browser.newPage();
    await tab.goto(`${api}/member`);
    await expect.poll(() => tab.locator('#challenges').count()).toBe(1);
    expect(await tab.locator('progress[id^="challenge-"]').getAttribute('value')).toBe('1');
    expect(await tab.getByText('2 purchases to go for 500 points').count()).toBe(1);
    await tab.screenshot({ path: join(artifactsDir, 'challenges-dashboard.png'), fullPage: true });
  } finally {
    await browser.close();
  }

  // The program paid nothing (its challenge was for nobody); the ledger holds.
  const marketing = await accountByCode(db.manager, programAccounts.marketing);
  expect(await p.posted(marketing.id)).toBe(0);
  expect((await memberWithAccount(db.manager, ann.member.id)).account.id).toBe(ann.account.id);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 180_000);

it('refuses a challenge form by field, and a partner cannot change another partner’s challenge', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const a = await p.partner();
  const b = await p.partner();
  const refusal = await inTransaction(db, (m) =>
    saveChallenge(
      m,
      p.ledger,
      { name: '', metric: 'steps', target: '0', period: 'once', startsAt: 'soon', rewardPoints: '-5', segmentId: randomUUID() },
      { kind: 'operator' },
    ),
  ).catch((e: unknown) => e);
  expect(refusal).toBeInstanceOf(ChallengeRefusedError);
  expect((refusal as ChallengeRefusedError).problems).toMatchObject({
    name: 'is required',
    metric: expect.stringContaining('must be one of'),
    target: 'must be a whole number above 0',
    startsAt: expect.stringContaining('is required'),
    endsAt: 'is required for a one-off challenge',
    rewardPoints: expect.stringContaining('must be a whole number'),
    segmentId: 'choose a segment from the list',
  });
  const form = {
    name: 'Spend 100 on shoes',
    metric: 'spend',
    category: 'shoes',
    target: '10000',
    period: 'weekly',
    timeZone: 'Europe/Amsterdam',
    startsAt: '2026-01-01T00:00:00Z',
    rewardPoints: '200',
  };
  const own = await inTransaction(db, (m) => saveChallenge(m, p.ledger, form, { kind: 'partner', partnerId: a.partner.id }));
  const other = await inTransaction(db, (m) =>
    saveChallenge(m, p.ledger, { ...form, name: 'Renamed' }, { kind: 'partner', partnerId: b.partner.id }, own.id),
  ).catch((e: unknown) => e);
  expect(other).toBeInstanceOf(ChallengeRefusedError);
  expect((await db.manager.findOneByOrFail(Challenge, { id: own.id })).name).toBe('Spend 100 on shoes');
  const badZone = await inTransaction(db, (m) =>
    saveChallenge(m, p.ledger, { ...form, timeZone: 'Mars/Olympus', metric: 'purchase_count' }, { kind: 'operator' }),
  ).catch((e: unknown) => e);
  expect((badZone as ChallengeRefusedError).problems).toEqual({
    timeZone: 'must be a time zone such as Europe/Amsterdam',
    category: 'only an amount spent can be limited to a category',
  });
});

it('keeps a completed challenge waiting while its payer is short, and pays it once the payer is topped up', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const shop = await p.partner(10_000);
  const sponsor = await p.partner(0);
  const key = (await issueApiKey(db.manager, shop.partner.id, 'test')).secret;
  // The program's challenge, paid by a sponsor whose wallet is empty.
  const sponsored = await db.manager.save(
    db.manager.create(Challenge, {
      name: 'Sponsored first purchase',
      partnerId: null,
      fundingPartnerId: sponsor.partner.id,
      metric: 'spend',
      category: null,
      target: 1_000,
      period: 'once',
      startsAt: new Date(Date.now() - 86_400_000),
      endsAt: new Date(Date.now() + 86_400_000),
      rewardPoints: 100,
      status: 'live',
    }),
  );
  forgetProgramConfiguration(db);
  const api = await listen(createWebApp({ health: {}, api: { dataSource: db, ledger: p.ledger, processes: harness.processes } }));
  const response = await fetch(`${api}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ member: { externalId: 'fay' }, type: 'purchase', amountCents: 1_500, currency: 'EUR' }),
  });
  expect(response.status).toBe(201);
  const fay = await resolveCustomer(db.manager, { partnerId: shop.partner.id, customerId: 'fay' });
  const progress = () => db.manager.findOneBy(ChallengeProgress, { challengeId: sponsored.id, memberId: fay.member.id, periodKey: 'once' });
  // Refused by the ledger: counted but not paid, and the step is tried again.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect((await progress())?.completedAt ?? null).toBeNull();
  expect(await p.available(fay.account.id)).toBe(15);

  await creditPurchasedPoints(db.manager, p.ledger, {
    walletAccountId: sponsor.wallet.id,
    points: 1_000,
    key: `top-up-${sponsor.wallet.id}`,
  });
  await expect.poll(async () => (await progress())?.completedAt ?? null, { timeout: 60_000 }).not.toBeNull();
  expect((await progress())!.value).toBe(1_500);
  expect(await p.available(fay.account.id)).toBe(15 + 100);
  expect(await p.available(sponsor.wallet.id)).toBe(900);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);
