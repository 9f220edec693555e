import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  Challenge,
  ChallengeProgress,
  EarningRule,
  LedgerTransfer,
  MemberReferral,
  ProgramSettings,
  WebhookEndpoint,
} from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { challengeMetricLabels, saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { mergeMembers, resolveCustomer } from '../loyalty/member-identity.js';
import { normalizeReferralCode, referralCodeOf } from '../loyalty/referrals.js';
import { portalRouter } from '../portal/portal-router.js';
import { createWebApp } from '../wiring/web-app.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
const servers: Server[] = [];
const hooks: { event: string; data: Record<string, unknown> }[] = [];

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'referrals-test');
  await harness.db.dataSource.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62 });
  await harness.db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
}, 120_000);
afterAll(async () => {
  for (const server of servers) server.close();
  await harness?.stop();
});

/** A one-off program challenge over explicit dates (never the wall clock's month). */
const referTwo = (fundingPartnerId: string, name = 'Refer 2 friends who buy') => ({
  name,
  metric: 'referrals',
  target: '2',
  period: 'once',
  timeZone: 'UTC',
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: '2099-01-01T00:00:00Z',
  rewardPoints: '300',
  fundingPartnerId,
  status: 'live',
});

it("completes the referrer's challenge with the second friend's first purchase, pays once, and refuses bad codes by field", async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const shop = await p.partner(100_000);
  const key = (await issueApiKey(db.manager, shop.partner.id, 'test')).secret;
  const receiver = express().post('/hooks', express.json(), (req, res) => {
    hooks.push(req.body);
    res.status(204).end();
  });
  await db.manager.insert(WebhookEndpoint, {
    partnerId: shop.partner.id,
    url: `${await listen(receiver)}/hooks`,
    events: ['challenge.completed'],
    secret: 'whsec-referrals',
  });
  const challenge = await inTransaction(db, (m) => saveChallenge(m, p.ledger, referTwo(shop.partner.id), { kind: 'operator' }));
  expect(challengeMetricLabels[challenge.metric]).toBe('Friends referred who buy');
  forgetProgramConfiguration(db);

  const codes = { secret: 'test-code-secret', messenger: { sendCode: async () => undefined } };
  const api = await listen(
    createWebApp({
      health: {},
      api: { dataSource: db, ledger: p.ledger, processes: harness.processes },
      portal: portalRouter({ dataSource: db, codes, publicUrl: 'http://127.0.0.1', ledger: p.ledger }),
    }),
  );
  const post = (body: object, idempotencyKey = randomUUID()) =>
    fetch(`${api}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
    });
  const purchase = (externalId: string, referralCode?: string) => ({
    member: { externalId, ...(referralCode === undefined ? {} : { referralCode }) },
    type: 'purchase',
    amountCents: 1_000,
    currency: 'EUR',
  });
  const joins = (externalId: string, referralCode?: string) => ({
    member: { externalId, ...(referralCode === undefined ? {} : { referralCode }) },
    type: 'registration',
  });

  // Rita buys (10 points); her code is hers alone, readable aloud, and not her id.
  expect((await post(purchase('rita'))).status).toBe(201);
  const rita = await resolveCustomer(db.manager, { partnerId: shop.partner.id, customerId: 'rita' });
  const code = await referralCodeOf(db.manager, rita.member.id);
  expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
  expect(code).not.toContain(rita.member.externalId);
  expect(await referralCodeOf(db.manager, rita.member.id)).toBe(code);
  expect(normalizeReferralCode(` ${code.slice(0, 4).toLowerCase()}-${code.slice(4)} `)).toBe(code);

  // Refused under body.member.referralCode, and nothing written: no member, no event.
  const refused = async (body: object, message: string) => {
    const response = await post(body);
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem).toMatchObject({ code: 'event_refused', errors: [{ field: 'body.member.referralCode' }] });
    expect(problem.errors[0].message).toContain(message);
    expect(JSON.stringify(problem)).not.toMatch(/SQL|at .*\.ts|referral_code/);
  };
  await refused(joins('nick', 'ZZZZ9999'), 'no member has this referral code');
  await refused(joins('nick', 'not a code at all'), 'no member has this referral code');
  expect(await db.query(`SELECT 1 FROM member_link WHERE "customerId" = 'nick'`)).toHaveLength(0);
  await refused(purchase('rita', code), 'a member cannot use their own referral code');
  expect((await post(joins('bo'))).status).toBe(201);
  await refused(joins('bo', code), 'only a new member can be referred');
  expect(await db.manager.countBy(MemberReferral, { referrerMemberId: rita.member.id })).toBe(0);

  // Fred and Fay join with Rita's code (Fay's typed the way people type it): referred, nothing counted yet.
  expect((await post(joins('fred', code))).status).toBe(201);
  expect((await post(joins('fay', code.toLowerCase()))).status).toBe(201);
  const fred = await resolveCustomer(db.manager, { partnerId: shop.partner.id, customerId: 'fred' });
  const fay = await resolveCustomer(db.manager, { partnerId: shop.partner.id, customerId: 'fay' });
  expect(await db.manager.findBy(MemberReferral, { referrerMemberId: rita.member.id })).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ referredMemberId: fred.member.id, qualifyingEventId: null }),
      expect.objectContaining({ referredMemberId: fay.member.id, qualifyingEventId: null }),
    ]),
  );
  // Already referred by Rita: her code again (a retry under a new key, or the purchase sent with the
  // registration) is accepted and records nothing more; another member's code is refused.
  expect((await post(joins('fred', code))).status).toBe(201);
  expect(await db.manager.countBy(MemberReferral, { referredMemberId: fred.member.id })).toBe(1);
  await refused(joins('fred', await referralCodeOf(db.manager, fay.member.id)), 'only a new member can be referred');

  // Both friends buy at once, Fay's purchase sent twice: the second referral completes the challenge, paid once.
  const repeated = randomUUID();
  const answers = await Promise.all([post(purchase('fred')), post(purchase('fay'), repeated), post(purchase('fay'), repeated)]);
  expect(answers.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(2);
  const progress = () =>
    db.manager.findOneBy(ChallengeProgress, { challengeId: challenge.id, memberId: rita.member.id, periodKey: 'once' });
  await expect.poll(async () => (await progress())?.completedAt ?? null, { timeout: 30_000 }).not.toBeNull();
  expect((await progress())!.value).toBe(2);
  const rewards = () =>
    db.manager.createQueryBuilder(LedgerTransfer, 't').where(`t."references"->>'challenge' = :id`, { id: challenge.id }).getMany();
  expect(await rewards()).toHaveLength(1);
  expect((await rewards())[0]).toMatchObject({ amount: 300, creditAccountId: rita.account.id, debitAccountId: shop.wallet.id });
  expect(await p.available(rita.account.id)).toBe(10 + 300);
  // The friends earned their own points, and nothing for the referral.
  expect(await p.available(fred.account.id)).toBe(10);
  expect(await p.available(fay.account.id)).toBe(10);

  // Counting the friends' purchases again adds nothing; a friend's second purchase counts nothing more.
  const fayEvents: { id: string }[] = await db.query(`SELECT id FROM member_event WHERE "memberId" = $1 AND type = 'purchase'`, [
    fay.member.id,
  ]);
  expect(fayEvents).toHaveLength(1);
  expect((await countChallengeProgress(db, p.ledger, fayEvents[0]!.id)).counted).toEqual([
    expect.objectContaining({ challengeId: challenge.id, outcome: 'already_counted', value: 2 }),
  ]);
  expect((await post(purchase('fred'))).status).toBe(201);
  const [second] = await db.query(
    `SELECT id FROM member_event WHERE "memberId" = $1 AND type = 'purchase' ORDER BY "recordedAt" DESC LIMIT 1`,
    [fred.member.id],
  );
  expect((await countChallengeProgress(db, p.ledger, second.id)).counted).toEqual([]);
  expect(await db.query(`SELECT 1 FROM challenge_contribution WHERE "eventId" = $1`, [second.id])).toHaveLength(0);
  expect((await progress())!.value).toBe(2);
  expect(await rewards()).toHaveLength(1);

  // The store hears of it once, naming Rita by its own id for her.
  await expect.poll(() => hooks.length, { timeout: 30_000 }).toBe(1);
  expect(hooks[0]).toMatchObject({
    event: 'challenge.completed',
    data: { challenge: challenge.id, member: 'rita', target: 2, points: 300 },
  });

  // The partner API reads the progress naturally.
  const listed = await (await fetch(`${api}/api/v1/members/rita/challenges`, { headers: { authorization: `Bearer ${key}` } })).json();
  expect(listed.challenges).toEqual([
    expect.objectContaining({ id: challenge.id, metric: 'referrals', progress: 2, target: 2, completed: true }),
  ]);

  // Rita's dashboard: her code to pass on, and the challenge in friends.
  const session = await openMemberSession(db.manager, { memberId: rita.member.id, partnerId: null });
  const page = await (await fetch(`${api}/member`, { headers: { cookie: `tessera_member=${session.token}` } })).text();
  expect(page).toContain('<h2 id="referral">Refer a friend</h2>');
  expect(page).toContain(`<strong id="referral-code">${code}</strong>`);
  expect(page).toContain(`Join with my referral code ${code}`);
  expect(page).toMatch(/Refer 2 friends who buy<\/strong>: 2 of 2 friends who buy/);
  expect(page).toContain('<strong>Completed</strong>: 300 points paid');
  const browser = await launchBrowser();
  try {
    const origin = new URL(api);
    await browser.addCookies([{ name: 'tessera_member', value: session.token, domain: origin.hostname, path: '/' }]);
    const tab = await browser.newPage();
    await tab.goto(`${api}/member`);
    expect(await tab.locator('#referral-code').textContent()).toBe(code);
    expect(await tab.locator('#referral-message').textContent()).toBe(`Join with my referral code ${code} at any store of the program.`);
    await tab.locator('#referral').scrollIntoViewIfNeeded();
    await tab.screenshot({ path: join(artifactsDir, 'referrals-dashboard.png'), fullPage: true });
  } finally {
    await browser.close();
  }

  // Fay's qualifying purchase refunded in full once the challenge was paid: Fay no longer counts,
  // Rita is below the target again and her reward is taken back, as a refunded purchase's bonus is.
  const refund = await fetch(`${api}/api/v1/events/${fayEvents[0]!.id}/refunds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: '{}',
  });
  expect(refund.status).toBe(201);
  expect(await progress()).toMatchObject({ value: 1, completedAt: null });
  expect(await p.available(rita.account.id)).toBe(10);
  expect(await p.available(fay.account.id)).toBe(0);
  expect(await db.manager.findOneByOrFail(MemberReferral, { referredMemberId: fay.member.id })).toMatchObject({
    status: 'joined',
    qualifyingEventId: null,
  });
  // Fay's next purchase stands: she counts again, Rita completes again and is paid again, once.
  expect((await post(purchase('fay'))).status).toBe(201);
  await expect.poll(async () => (await progress())?.completedAt ?? null, { timeout: 30_000 }).not.toBeNull();
  expect((await progress())!.value).toBe(2);
  expect(await p.available(rita.account.id)).toBe(10 + 300);
  await expect.poll(() => hooks.length, { timeout: 30_000 }).toBe(2);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 180_000);

it("un-qualifies a friend's first purchase refunded in full before the reward, and a merge never makes a member their own referrer", async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const shop = await p.partner(100_000);
  const challenge = await inTransaction(db, (m) =>
    saveChallenge(m, p.ledger, referTwo(shop.partner.id, 'Refer 2 (refunds)'), { kind: 'operator' }),
  );
  forgetProgramConfiguration(db);
  const tag = randomUUID().slice(0, 6);
  const event = async (externalId: string, type: string, referralCode?: string) => {
    const now = new Date();
    const recorded = await inTransaction(db, (m) =>
      recordEvent(m, p.ledger, {
        member: { externalId: `${externalId}-${tag}`, ...(referralCode ? { referralCode } : {}) },
        partnerId: shop.partner.id,
        type,
        ...(type === 'purchase' ? { amountCents: 2_000, currency: 'EUR' } : {}),
        occurredAt: now,
        receivedAt: now,
      }),
    );
    await countChallengeProgress(db, p.ledger, recorded.event.id);
    return recorded;
  };
  const ray = await event('ray', 'registration');
  const code = await referralCodeOf(db.manager, ray.memberId);
  const progress = async () =>
    (await db.manager.findOneBy(ChallengeProgress, { challengeId: challenge.id, memberId: ray.memberId, periodKey: 'once' }))?.value ?? 0;

  // Gus joins with Ray's code and buys: one referral. Refunded in full before Ray completed: none.
  await event('gus', 'registration', code);
  const first = await event('gus', 'purchase');
  expect(await progress()).toBe(1);
  await inTransaction(db, (m) => refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId: first.event.id, key: `back-${tag}` }));
  expect(await progress()).toBe(0);
  const referral = () => db.manager.findOneByOrFail(MemberReferral, { referredMemberId: first.memberId });
  expect(await referral()).toMatchObject({ qualifyingEventId: null, qualifiedAt: null });
  // Gus's next purchase is then his first that stands: it qualifies.
  const again = await event('gus', 'purchase');
  expect(await progress()).toBe(1);
  expect((await referral()).qualifyingEventId).toBe(again.event.id);

  // Hal, referred by Ray, turns out to be Ray (merged into him): the referral is gone, his purchase counts for nobody.
  const hal = await event('hal', 'registration', code);
  await inTransaction(db, (m) =>
    mergeMembers(m, p.ledger, { fromMemberId: hal.memberId, intoMemberId: ray.memberId, cause: 'care', requestedBy: 'test' }),
  );
  expect(await db.manager.findOneByOrFail(MemberReferral, { referredMemberId: hal.memberId })).toMatchObject({ status: 'same_person' });
  await event('hal', 'purchase');
  expect(await progress()).toBe(1);
  expect(await db.query(`SELECT 1 FROM ledger_transfer WHERE "references"->>'challenge' = $1`, [challenge.id])).toHaveLength(0);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);

/** Records an event as a store sends it (the full path) and counts it at once, as the outbox would. */
function recorder(p: Awaited<ReturnType<typeof createProgram>>, partnerId: string) {
  const db = harness.db.dataSource;
  const tag = randomUUID().slice(0, 6);
  return async (externalId: string, type: string, extra: { referralCode?: string; amountCents?: number } = {}) => {
    const now = new Date();
    const recorded = await inTransaction(db, (m) =>
      recordEvent(m, p.ledger, {
        member: { externalId: `${externalId}-${tag}`, ...(extra.referralCode ? { referralCode: extra.referralCode } : {}) },
        partnerId,
        type,
        ...(type === 'purchase' ? { amountCents: extra.amountCents ?? 2_000, currency: 'EUR' } : {}),
        occurredAt: now,
        receivedAt: now,
      }),
    );
    await countChallengeProgress(db, p.ledger, recorded.event.id);
    return recorded;
  };
}

it('withdraws a referral that a merge shows to be a self-referral and takes back the reward it no longer earns, whichever is merged into the other', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const shop = await p.partner(100_000);
  const challenge = await inTransaction(db, (m) =>
    saveChallenge(m, p.ledger, { ...referTwo(shop.partner.id, 'Refer 1 (merges)'), target: '1' }, { kind: 'operator' }),
  );
  forgetProgramConfiguration(db);
  const event = recorder(p, shop.partner.id);
  for (const friendMerged of [true, false]) {
    const ann = await event(`ann-${friendMerged}`, 'purchase');
    const code = await referralCodeOf(db.manager, ann.memberId);
    await event(`ben-${friendMerged}`, 'registration', { referralCode: code });
    const ben = await event(`ben-${friendMerged}`, 'purchase');
    const progress = (memberId: string) =>
      db.manager.findOneBy(ChallengeProgress, { challengeId: challenge.id, memberId, periodKey: 'once' });
    expect(await progress(ann.memberId)).toMatchObject({ value: 1, completedAt: expect.any(Date) });
    expect(await p.available(ann.memberAccountId)).toBe(20 + 300);

    // Care finds Ben is Ann: merged one way or the other, the referral is withdrawn and says why.
    const [from, into] = friendMerged ? [ben, ann] : [ann, ben];
    await inTransaction(db, (m) =>
      mergeMembers(m, p.ledger, { fromMemberId: from.memberId, intoMemberId: into.memberId, cause: 'care', requestedBy: 'care-agent' }),
    );
    expect(await db.manager.findOneByOrFail(MemberReferral, { referredMemberId: ben.memberId })).toMatchObject({ status: 'same_person' });
    // The person keeps both purchases' points, not the reward for referring themselves.
    expect(await p.available(into.memberAccountId)).toBe(20 + 20);
    expect(await p.available(from.memberAccountId)).toBe(0);
    expect(await progress(into.memberId)).toMatchObject({ value: 0, completedAt: null });
    // Ben's purchase no longer counts towards any referral challenge (the earlier tests' ones included).
    expect(
      await db.query(
        `SELECT 1 FROM challenge_contribution c JOIN challenge ch ON ch.id = c."challengeId"
          WHERE c."eventId" = $1 AND c."withdrawnAt" IS NULL AND ch.metric = 'referrals'`,
        [ben.event.id],
      ),
    ).toEqual([]);
  }
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);

it('qualifies a referral with the first purchase of at least the minimum, whether or not a referral challenge is live', async () => {
  const db = harness.db.dataSource;
  // No challenge of the earlier tests runs: a purchase of a member nobody referred takes the lean path.
  await db.manager.update(Challenge, { status: 'live' }, { status: 'ended' });
  forgetProgramConfiguration(db);
  const p = await createProgram(db);
  const shop = await p.partner(100_000);
  const key = (await issueApiKey(db.manager, shop.partner.id, 'test')).secret;
  const api = await listen(createWebApp({ health: {}, api: { dataSource: db, ledger: p.ledger, processes: harness.processes } }));
  const tag = randomUUID().slice(0, 6);
  const post = async (externalId: string, body: object) => {
    const response = await fetch(`${api}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ ...body, member: { externalId: `${externalId}-${tag}`, ...(body as { member?: object }).member } }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string };
  };
  const buy = (externalId: string, amountCents: number) => post(externalId, { type: 'purchase', amountCents, currency: 'EUR' });

  await buy('cleo', 5_000);
  const cleo = await resolveCustomer(db.manager, { partnerId: shop.partner.id, customerId: `cleo-${tag}` });
  await post('dan', { type: 'registration', member: { referralCode: await referralCodeOf(db.manager, cleo.member.id) } });
  const dan = await resolveCustomer(db.manager, { partnerId: shop.partner.id, customerId: `dan-${tag}` });
  const referral = () => db.manager.findOneByOrFail(MemberReferral, { referredMemberId: dan.member.id });

  // Below the program's minimum (€10.00 unless set): a cent, then a cent short of it, qualify nothing.
  expect((await db.manager.findOneByOrFail(ProgramSettings, { id: 1 })).referralMinimumCents).toBe(1_000);
  await buy('dan', 1);
  await buy('dan', 999);
  expect(await referral()).toMatchObject({ status: 'joined', qualifyingEventId: null, qualifiedAt: null });
  // At the minimum it qualifies, with no referral challenge live, at the purchase's moment.
  const qualifying = await buy('dan', 1_000);
  const qualified = await referral();
  expect(qualified).toMatchObject({ status: 'qualified', qualifyingEventId: expect.any(String), qualifiedAt: expect.any(Date) });
  const [recorded] = await db.query(`SELECT id, "occurredAt" FROM member_event WHERE id = $1`, [qualified.qualifyingEventId]);
  expect(recorded.occurredAt).toEqual(qualified.qualifiedAt);
  expect(qualifying.id).toBe(recorded.id);

  // A referral challenge that goes live afterwards does not count Dan's later purchases: he qualified once, before it.
  const challenge = await inTransaction(db, (m) =>
    saveChallenge(m, p.ledger, { ...referTwo(shop.partner.id, 'Refer 1 (minimum)'), target: '1' }, { kind: 'operator' }),
  );
  forgetProgramConfiguration(db);
  const later = await buy('dan', 5_000);
  await countChallengeProgress(db, p.ledger, later.id);
  expect(await db.manager.countBy(ChallengeProgress, { challengeId: challenge.id, memberId: cleo.member.id })).toBe(0);
  expect((await referral()).qualifyingEventId).toBe(recorded.id);

  // A friend referred while it runs qualifies at the minimum and counts at once.
  await post('eve', { type: 'registration', member: { referralCode: await referralCodeOf(db.manager, cleo.member.id) } });
  const eve = await buy('eve', 1_000);
  await countChallengeProgress(db, p.ledger, eve.id);
  expect(
    await db.manager.findOneByOrFail(ChallengeProgress, { challengeId: challenge.id, memberId: cleo.member.id, periodKey: 'once' }),
  ).toMatchObject({ value: 1, completedAt: expect.any(Date) });
  expect(await p.available(cleo.account.id)).toBe(50 + 300);
  await db.manager.update(Challenge, { id: challenge.id }, { status: 'ended' });
  forgetProgramConfiguration(db);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);

it('finds a self-referral through a third account: the referral moves with the friend on each merge, and its reward is taken back', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const shop = await p.partner(100_000);
  const challenge = await inTransaction(db, (m) =>
    saveChallenge(m, p.ledger, { ...referTwo(shop.partner.id, 'Refer 1 (merge chain)'), target: '1' }, { kind: 'operator' }),
  );
  forgetProgramConfiguration(db);
  const event = recorder(p, shop.partner.id);
  const a = await event('a', 'purchase');
  await event('b', 'registration', { referralCode: await referralCodeOf(db.manager, a.memberId) });
  const b = await event('b', 'purchase');
  const c = await event('c', 'registration');
  expect(await p.available(a.memberAccountId)).toBe(20 + 300);
  const merge = (from: string, into: string) =>
    inTransaction(db, (m) =>
      mergeMembers(m, p.ledger, { fromMemberId: from, intoMemberId: into, cause: 'care', requestedBy: 'care-agent' }),
    );
  await merge(b.memberId, c.memberId);
  expect(await db.manager.findOneByOrFail(MemberReferral, { referrerMemberId: a.memberId })).toMatchObject({
    referredMemberId: c.memberId,
    status: 'qualified',
  });
  // C is B, and now A is C: A referred themselves.
  await merge(c.memberId, a.memberId);
  expect(await db.manager.findOneByOrFail(MemberReferral, { referrerMemberId: a.memberId })).toMatchObject({ status: 'same_person' });
  expect(await p.available(a.memberAccountId)).toBe(20 + 20);
  expect(await p.available(b.memberAccountId)).toBe(0);
  expect(await p.available(c.memberAccountId)).toBe(0);
  expect(
    await db.query(`SELECT 1 FROM points_debt WHERE "memberAccountId" = ANY($1::uuid[])`, [
      [a.memberAccountId, b.memberAccountId, c.memberAccountId],
    ]),
  ).toEqual([]);
  await db.manager.update(Challenge, { id: challenge.id }, { status: 'ended' });
  forgetProgramConfiguration(db);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);

it("un-qualifies a referral whose qualifying purchase is refunded after the friend was merged, and the survivor's next purchase qualifies it again", async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const shop = await p.partner(100_000);
  const event = recorder(p, shop.partner.id);
  const a = await event('a', 'purchase');
  await event('b', 'registration', { referralCode: await referralCodeOf(db.manager, a.memberId) });
  const b = await event('b', 'purchase');
  const b2 = await event('b2', 'registration');
  await inTransaction(db, (m) =>
    mergeMembers(m, p.ledger, { fromMemberId: b.memberId, intoMemberId: b2.memberId, cause: 'care', requestedBy: 'care-agent' }),
  );
  const referral = () => db.manager.findOneByOrFail(MemberReferral, { referrerMemberId: a.memberId });
  expect(await referral()).toMatchObject({ referredMemberId: b2.memberId, status: 'qualified', qualifyingEventId: b.event.id });
  await inTransaction(db, (m) => refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId: b.event.id, key: randomUUID() }));
  expect(await referral()).toMatchObject({ status: 'joined', qualifyingEventId: null });
  expect(await p.available(b2.memberAccountId)).toBe(0);
  // The person buys again, as the member the merge left: that purchase qualifies the referral.
  const again = await event('b2', 'purchase');
  expect(await referral()).toMatchObject({ status: 'qualified', qualifyingEventId: again.event.id });
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);

it("keeps, when both merged members were referred, the referral that qualified: the other referrer's never qualifies with the person's next purchase", async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const shop = await p.partner(100_000);
  const event = recorder(p, shop.partner.id);
  const a = await event('a', 'purchase');
  const c = await event('c', 'purchase');
  await event('b', 'registration', { referralCode: await referralCodeOf(db.manager, a.memberId) });
  const b = await event('b', 'purchase');
  const d = await event('d', 'registration', { referralCode: await referralCodeOf(db.manager, c.memberId) });
  // B and D are one person: B bought (Ann's referral qualified), D never did (Carl's waits).
  await inTransaction(db, (m) =>
    mergeMembers(m, p.ledger, { fromMemberId: b.memberId, intoMemberId: d.memberId, cause: 'care', requestedBy: 'care-agent' }),
  );
  const referralOf = (referrerMemberId: string) => db.manager.findOneByOrFail(MemberReferral, { referrerMemberId });
  expect(await referralOf(a.memberId)).toMatchObject({ referredMemberId: d.memberId, status: 'qualified', qualifyingEventId: b.event.id });
  await event('d', 'purchase');
  expect(await referralOf(c.memberId)).toMatchObject({ status: 'joined', qualifyingEventId: null });
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);
