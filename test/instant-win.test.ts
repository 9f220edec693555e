import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, InstantWinDraw, LedgerTransfer, MemberMessage, ProgramSettings, WebhookEndpoint } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { mintWidgetToken } from '../loyalty/widget-tokens.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { replayDraws, winningTimes } from '../loyalty/engagement/instant-win-draws.js';
import { InstantWinRefusedError, instantWinDraws, saveInstantWinCampaign, viewInstantWin } from '../loyalty/engagement/instant-win-form.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { instantWinWon } from '../loyalty/webhook-events.js';
import { createWebApp } from '../wiring/web-app.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
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
  harness = await startWorkerHarness(startDevServer, 'instant-win-test');
}, 120_000);
afterAll(async () => {
  for (const server of servers) server.close();
  await harness?.stop();
});

interface InstantWinAnswer {
  campaignId: string;
  name: string;
  drawNumber: number;
  won: boolean;
  outcome: string;
  prize: { points: number } | null;
}

it('draws 100 concurrent purchases within a budget of 5, pays each prize once, answers at once, and replays from the revealed seed', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1 });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  const a = await p.partner(100_000);
  const b = await p.partner(100_000);
  const broke = await p.partner(0);
  const keyA = (await issueApiKey(db.manager, a.partner.id, 'test')).secret;
  const keyB = (await issueApiKey(db.manager, b.partner.id, 'test')).secret;
  const receiver = express().post('/hooks', express.json(), (req, res) => {
    hooks.push(req.body);
    res.status(204).end();
  });
  await db.manager.insert(WebhookEndpoint, {
    partnerId: a.partner.id,
    url: `${await listen(receiver)}/hooks`,
    events: ['instant_win.won'],
    secret: 'whsec-a',
  });
  // 100 customers of A, whose verified addresses are known already (no welcome to wait for).
  const customers = Array.from({ length: 100 }, (_, i) => `lucky-${i}`);
  for (const externalId of customers) await p.member(externalId, a.partner.id);
  await db.query(`UPDATE member SET "emailVerifiedAt" = now()`);

  const now = Date.now();
  const campaign = await inTransaction(db, (m) =>
    saveInstantWinCampaign(
      m,
      {
        name: 'Lucky hour',
        mode: 'probability',
        winChance: '50',
        startsAt: new Date(now - 3_600_000).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        prizePoints: '200',
        prizeBudget: '5',
        status: 'live',
      },
      { kind: 'partner', partnerId: a.partner.id },
    ),
  );
  expect(campaign).toMatchObject({ partnerId: a.partner.id, fundingPartnerId: a.partner.id, winChancePpm: 500_000 });
  expect(campaign.seedCommitment).toMatch(/^[0-9a-f]{64}$/);
  expect(campaign.seed).toBeUndefined(); // secret until the end
  forgetProgramConfiguration(db);

  const api = await listen(createWebApp({ health: {}, api: { dataSource: db, ledger: p.ledger, processes: harness.processes } }));
  const post = (key: string, body: object, idempotencyKey = randomUUID()) =>
    fetch(`${api}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
    });
  const purchase = (externalId: string) => ({ member: { externalId }, type: 'purchase', amountCents: 1_000, currency: 'EUR' });

  // 100 purchases at once; the first one's request is sent a second time with it.
  const replayedKey = randomUUID();
  const responses = await Promise.all([
    ...customers.map((c, i) => post(keyA, purchase(c), i === 0 ? replayedKey : undefined)),
    post(keyA, purchase(customers[0]!), replayedKey),
  ]);
  const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, body: await r.json() })));
  const recorded = bodies.filter((r) => r.status === 201);
  // The replay answers what the first got (or 409 while the first is in flight): never a second draw.
  expect(recorded.length).toBeGreaterThanOrEqual(100);
  const firstAnswers = bodies.slice(0, 100).map((r) => r.body as { id: string; instantWins: InstantWinAnswer[] });
  for (const answer of firstAnswers) expect(answer.instantWins).toHaveLength(1);
  if (bodies[100]!.status === 201) expect(bodies[100]!.body).toEqual(bodies[0]!.body);
  const winners = firstAnswers.filter((a) => a.instantWins[0]!.won);
  // With a chance of one half, far more than 5 draws are lucky: exactly the budget is paid.
  expect(winners).toHaveLength(5);
  for (const w of winners)
    expect(w.instantWins[0]).toMatchObject({ campaignId: campaign.id, name: 'Lucky hour', outcome: 'won', prize: { points: 200 } });
  const losers = firstAnswers.filter((a) => !a.instantWins[0]!.won);
  expect(losers.every((l) => l.instantWins[0]!.prize === null && ['lost', 'budget_spent'].includes(l.instantWins[0]!.outcome))).toBe(true);
  expect(losers.some((l) => l.instantWins[0]!.outcome === 'budget_spent')).toBe(true);

  // Every draw recorded once, numbered 1 to 100; 5 prizes of 200 points from A's wallet.
  const draws = await db.manager.find(InstantWinDraw, { where: { campaignId: campaign.id }, order: { drawNumber: 'ASC' } });
  expect(draws.map((d) => d.drawNumber)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  expect(new Set(draws.map((d) => d.eventId)).size).toBe(100);
  const prizes = await db.manager
    .createQueryBuilder(LedgerTransfer, 't')
    .where(`t."references"->>'instantWin' = :id`, { id: campaign.id })
    .getMany();
  expect(prizes).toHaveLength(5);
  expect(prizes.every((t) => t.amount === 200 && t.debitAccountId === a.wallet.id && t.kind === 'bonus')).toBe(true);
  const winnerIds = new Set(winners.map((w) => w.id));
  expect(new Set(draws.filter((d) => d.outcome === 'won').map((d) => d.eventId))).toEqual(winnerIds);
  const winnerEvents: { id: string; customerId: string; memberId: string }[] = await db.query(
    `SELECT id, "customerId", "memberId" FROM member_event WHERE id = ANY($1)`,
    [[...winnerIds]],
  );
  for (const e of winnerEvents) {
    const { account } = await resolveCustomer(db.manager, { partnerId: a.partner.id, customerId: e.customerId });
    expect(await p.available(account.id)).toBe(10 + 200);
  }
  expect(await p.available(a.wallet.id)).toBe(100_000 - 100 * 10 - 5 * 200);
  const view = await viewInstantWin(db.manager, campaign.id, { kind: 'partner', partnerId: a.partner.id });
  expect(view).toMatchObject({ prizesLeft: 0, revealedSeed: null });
  expect((await checkLedger(db.manager)).violations).toEqual([]);

  // The partner hears of each win once; each winner gets an email, after the purchase committed.
  await expect.poll(() => hooks.length, { timeout: 30_000 }).toBe(5);
  for (const hook of hooks) expect(hook.event).toBe('instant_win.won');
  const told = hooks.map((h) => instantWinWon.parse(h.data));
  expect(new Set(told.map((t) => t.eventId))).toEqual(winnerIds);
  expect(told.every((t) => t.points === 200 && t.seedCommitment === campaign.seedCommitment)).toBe(true);
  const winnerAddresses = winnerEvents.map((e) => `${e.customerId}@example.test`);
  await expect
    .poll(async () => (await readInbox(harness.sink.directory)).filter((m) => m.subject === 'You won 200 points').length, {
      timeout: 30_000,
    })
    .toBe(5);
  const mails = (await readInbox(harness.sink.directory)).filter((m) => m.subject === 'You won 200 points');
  expect(mails.flatMap((m) => m.to).sort()).toEqual(winnerAddresses.sort());
  expect(mails[0]!.text).toContain('Lucky hour');
  expect(await db.manager.countBy(MemberMessage, { kind: 'instant_win' })).toBe(5);

  // A's widget tells a winner of the win, and a loser of nothing.
  const widgetState = async (externalId: string) => {
    const { token } = await mintWidgetToken(db.manager, { partnerId: a.partner.id, externalId });
    return (await fetch(`${api}/widget/v1/state?token=${encodeURIComponent(token)}`)).json();
  };
  expect((await widgetState(winnerEvents[0]!.customerId)).instantWin).toMatchObject({ campaign: 'Lucky hour', points: 200 });
  const loser = customers.find((c) => !winnerEvents.some((e) => e.customerId === c))!;
  expect((await widgetState(loser)).instantWin).toBeNull();

  // Another partner's purchase takes no part in A's campaign.
  const atB = await post(keyB, purchase('someone-at-b'));
  expect(atB.status).toBe(201);
  expect((await atB.json()).instantWins).toEqual([]);

  // What decides the draws no longer changes; the campaign ends, and its seed is revealed.
  await expect(
    inTransaction(db, (m) =>
      saveInstantWinCampaign(m, { ...formOf(campaign), prizeBudget: '50' }, { kind: 'partner', partnerId: a.partner.id }, campaign.id),
    ),
  ).rejects.toThrow(InstantWinRefusedError);
  const getApi = (key: string, path: string) => fetch(`${api}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
  const ongoing = await (await getApi(keyA, `/instant-wins/${campaign.id}`)).json();
  expect(ongoing).toMatchObject({ seedCommitment: campaign.seedCommitment, prizesLeft: 0, drawCount: 100, seed: null, draws: null });
  expect((await getApi(keyB, `/instant-wins/${campaign.id}`)).status).toBe(404);
  await inTransaction(db, (m) =>
    saveInstantWinCampaign(m, { ...formOf(campaign), status: 'ended' }, { kind: 'partner', partnerId: a.partner.id }, campaign.id),
  );
  forgetProgramConfiguration(db);
  const after = await post(keyA, purchase(customers[1]!));
  expect((await after.json()).instantWins).toEqual([]);
  const ended = await viewInstantWin(db.manager, campaign.id, { kind: 'operator' });
  expect(ended.revealedSeed).toMatch(/^[0-9a-f]{64}$/);
  expect(createHash('sha256').update(Buffer.from(ended.revealedSeed!, 'hex')).digest('hex')).toBe(campaign.seedCommitment);
  const { draws: published } = await instantWinDraws(db.manager, campaign.id, { after: 0, limit: 1_000 });
  // The partner API publishes the seed and the draws once over: anyone replays them from there.
  const revealed = await (await getApi(keyA, `/instant-wins/${campaign.id}`)).json();
  expect(revealed.seed).toBe(ended.revealedSeed);
  const fromApi = revealed.draws.map((d: { drawnAt: string }) => ({ ...d, drawnAt: new Date(d.drawnAt) }));
  expect(replayDraws(revealed.seed, ended.rules, fromApi).every((r) => r.matches)).toBe(true);
  const replayed = replayDraws(ended.revealedSeed!, ended.rules, published);
  expect(replayed).toHaveLength(100);
  expect(replayed.filter((r) => !r.matches)).toEqual([]);
  // A draw told otherwise than it happened does not replay.
  const lucky = published.find((d) => d.outcome === 'budget_spent')!;
  const forged = published.map((d) => (d === lucky ? { ...d, outcome: 'won' as const } : d));
  expect(replayDraws(ended.revealedSeed!, ended.rules, forged).some((r) => !r.matches)).toBe(true);
  // Another partner never sees A's campaign.
  await expect(viewInstantWin(db.manager, campaign.id, { kind: 'partner', partnerId: b.partner.id })).rejects.toThrow(
    /No instant-win campaign/,
  );

  // Winning times: the first purchase at or after each pre-drawn instant wins, within the budget;
  // a payer that cannot pay leaves the prize in the budget and the purchase recorded.
  const timed = await inTransaction(db, (m) =>
    saveInstantWinCampaign(
      m,
      {
        name: 'Winning moments',
        mode: 'winning_times',
        winningTimeCount: '3',
        startsAt: new Date(Date.now() - 3_600_000).toISOString(),
        endsAt: new Date(Date.now() + 60_000).toISOString(),
        prizePoints: '50',
        prizeBudget: '2',
        status: 'live',
      },
      { kind: 'operator' },
    ),
  );
  const unpaid = await inTransaction(db, (m) =>
    saveInstantWinCampaign(
      m,
      {
        name: 'Paid by nobody',
        mode: 'probability',
        winChance: '100',
        startsAt: new Date(Date.now() - 3_600_000).toISOString(),
        endsAt: new Date(Date.now() + 60_000).toISOString(),
        prizePoints: '50',
        pointsBudget: '500',
        fundingPartnerId: broke.partner.id,
        status: 'live',
      },
      { kind: 'operator' },
    ),
  );
  forgetProgramConfiguration(db);
  const timedAnswers: InstantWinAnswer[][] = [];
  for (const c of customers.slice(10, 14)) {
    const r = await post(keyA, purchase(c));
    expect(r.status).toBe(201);
    timedAnswers.push((await r.json()).instantWins);
  }
  const seedOf = async (id: string): Promise<string> =>
    (await db.query(`SELECT seed FROM instant_win_campaign WHERE id = $1`, [id]))[0].seed;
  const times = winningTimes(await seedOf(timed.id), 3, timed.startsAt, timed.endsAt);
  const passed = times.filter((t) => t.getTime() <= Date.now()).length;
  const timedWins = timedAnswers.map((answers) => answers.find((w) => w.campaignId === timed.id)!.won);
  // The instants already passed are claimed by the first purchases, at most 2 of them (the budget).
  expect(timedWins).toEqual([0, 1, 2, 3].map((i) => i < Math.min(passed, 2)));
  for (const answers of timedAnswers)
    expect(answers.find((w) => w.campaignId === unpaid.id)).toMatchObject({ won: false, outcome: 'payer_short' });
  const unpaidView = await viewInstantWin(db.manager, unpaid.id, { kind: 'operator' });
  expect(unpaidView).toMatchObject({ pointsLeft: 500, campaign: { prizesWon: 0, drawCount: 4 } });
  expect((await checkLedger(db.manager)).violations).toEqual([]);
  for (const c of [timed, unpaid]) {
    await inTransaction(db, (m) => saveInstantWinCampaign(m, { ...formOf(c), status: 'ended' }, { kind: 'operator' }, c.id));
    const over = await viewInstantWin(db.manager, c.id, { kind: 'operator' });
    expect(
      replayDraws(over.revealedSeed!, over.rules, (await instantWinDraws(db.manager, c.id, { after: 0, limit: 1_000 })).draws).every(
        (r) => r.matches,
      ),
    ).toBe(true);
  }
}, 240_000);

/** A campaign's form as the back office would send it back. */
function formOf(c: Awaited<ReturnType<typeof saveInstantWinCampaign>>): Record<string, string> {
  return {
    name: c.name,
    mode: c.mode,
    ...(c.winChancePpm !== null ? { winChance: String(c.winChancePpm / 10_000) } : {}),
    ...(c.winningTimeCount !== null ? { winningTimeCount: String(c.winningTimeCount) } : {}),
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt.toISOString(),
    prizePoints: String(c.prizePoints),
    ...(c.prizeBudget !== null ? { prizeBudget: String(c.prizeBudget) } : {}),
    ...(c.pointsBudget !== null ? { pointsBudget: String(c.pointsBudget) } : {}),
    ...(c.fundingPartnerId ? { fundingPartnerId: c.fundingPartnerId } : {}),
    status: c.status,
  };
}
