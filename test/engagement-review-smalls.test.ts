import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  Badge,
  EarningRule,
  InstantWinCampaign,
  MemberBadge,
  ProgramSettings,
  WebhookDelivery,
  WebhookEndpoint,
} from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent, type EventInput } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { awardRuleBadges } from '../loyalty/engagement/badge-awards.js';
import { saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { saveInstantWinCampaign, viewInstantWin } from '../loyalty/engagement/instant-win-form.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { mergeMembers } from '../loyalty/member-identity.js';
import { badgeRevoked } from '../loyalty/webhook-events.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { listen } from './support/http.js';
import { createProgram } from './support/program.js';

/** Review findings on issue 14: badges on refund and merge, instant-win campaigns past their end and their draws paged. */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
let api: Awaited<ReturnType<typeof listen>>;
let apiKey: string;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62, refundShortfall: 'debt' });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  shop = await p.partner(1_000_000);
  apiKey = (await issueApiKey(db.dataSource.manager, shop.partner.id, 'test')).secret;
  await db.dataSource.manager.insert(WebhookEndpoint, {
    partnerId: shop.partner.id,
    url: 'http://127.0.0.1:9/hooks',
    events: ['badge.awarded', 'badge.revoked'],
    secret: 'whsec-shop',
  });
  api = await listen(createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger } }));
}, 120_000);
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const ds = () => db.dataSource;
const now = new Date();
const purchase = (externalId: string, items: number): EventInput => ({
  partnerId: shop.partner.id,
  member: { externalId },
  type: 'purchase',
  amountCents: items * 1_000,
  currency: 'EUR',
  lines: [{ reference: 'ITEM', quantity: items, unitPriceCents: 1_000 }],
  occurredAt: now,
  receivedAt: now,
});
const record = (input: EventInput) => inTransaction(ds(), (m) => recordEvent(m, p.ledger, input));
/** Records a purchase and runs the steps its commit starts: badges by rule and challenges. */
async function buy(externalId: string, items = 1) {
  const recorded = await record(purchase(externalId, items));
  await awardRuleBadges(ds(), recorded.event.id);
  await countChallengeProgress(ds(), p.ledger, recorded.event.id);
  return recorded;
}
const refund = (eventId: string, lines?: { reference: string; quantity: number }[]) =>
  inTransaction(ds(), (m) => refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId, lines, key: randomUUID() }));
const badgesOf = async (memberId: string) => (await ds().manager.find(MemberBadge, { where: { memberId } })).map((b) => b.badgeId).sort();
const badge = (fields: Partial<Badge>) =>
  ds().manager.save(
    ds().manager.create(Badge, { description: '', emblem: 'star', colour: '#c27c0e', status: 'live', threshold: null, ...fields }),
  );
const hooks = async (event: string) =>
  (await ds().manager.find(WebhookDelivery, { order: { createdAt: 'ASC' } }))
    .map((d) => d.payload as { event: string; data: Record<string, unknown> })
    .filter((d) => d.event === event);
const ledgerTrue = async () => expect((await checkLedger(ds().manager)).violations).toEqual([]);

it("takes back a rule badge whose rule a full refund undoes, and a challenge's badge with its reward; tells the partner once", async () => {
  const first = await badge({ name: 'First purchase', rule: 'first_purchase' });
  const two = await badge({ name: 'Two purchases', rule: 'purchase_count', threshold: 2 });
  const finisher = await badge({ name: 'Finisher', rule: 'challenge' });
  const challenge = await inTransaction(ds(), (m) =>
    saveChallenge(
      m,
      p.ledger,
      {
        name: 'Two purchases, once',
        metric: 'purchase_count',
        target: '2',
        period: 'once',
        startsAt: new Date(now.getTime() - 86_400_000).toISOString(),
        endsAt: new Date(now.getTime() + 86_400_000).toISOString(),
        rewardPoints: '30',
        status: 'live',
        badgeId: finisher.id,
      },
      { kind: 'operator' },
    ),
  );
  forgetProgramConfiguration(ds());

  const a = await buy('bd-refunder', 2);
  const b = await buy('bd-refunder', 1);
  const memberId = a.event.memberId;
  expect(await badgesOf(memberId)).toEqual([first.id, two.id, finisher.id].sort());

  // A partial refund leaves both purchases standing: every badge stays.
  await refund(a.event.id, [{ reference: 'ITEM', quantity: 1 }]);
  expect(await badgesOf(memberId)).toEqual([first.id, two.id, finisher.id].sort());
  // The rest of it: one purchase is left, so "two purchases" and the challenge's badge go, "first purchase" stays.
  const refunded = await refund(a.event.id);
  expect(refunded.bonusPointsReversed).toBe(30);
  expect(await badgesOf(memberId)).toEqual([first.id]);
  const revoked = await hooks('badge.revoked');
  expect(revoked.map((h) => badgeRevoked.parse(h.data))).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ badge: two.id, member: 'bd-refunder', reason: 'refund', eventId: a.event.id }),
      expect.objectContaining({ badge: finisher.id, member: 'bd-refunder', reason: 'refund', eventId: a.event.id }),
    ]),
  );
  expect(revoked).toHaveLength(2);
  // The last purchase refunded: nothing is left, the first-purchase badge goes too.
  await refund(b.event.id);
  expect(await badgesOf(memberId)).toEqual([]);
  expect(await hooks('badge.revoked')).toHaveLength(3);

  // Earned again by new purchases, as anyone earns them; a replayed award step adds nothing.
  const c = await buy('bd-refunder', 1);
  await buy('bd-refunder', 1);
  await awardRuleBadges(ds(), c.event.id);
  expect(await badgesOf(memberId)).toEqual([first.id, two.id, finisher.id].sort());
  await ds().manager.update(Badge, [first.id, two.id, finisher.id], { status: 'retired' });
  await ds().query(`UPDATE challenge SET status = 'ended' WHERE id = $1`, [challenge.id]);
  forgetProgramConfiguration(ds());
  await ledgerTrue();
});

it('awards no rule badge for a purchase refunded in full before its award step ran', async () => {
  const first = await badge({ name: 'First purchase (late step)', rule: 'first_purchase' });
  forgetProgramConfiguration(ds());
  const bought = await record(purchase('bd-quick-refund', 1));
  await refund(bought.event.id);
  await awardRuleBadges(ds(), bought.event.id);
  expect(await badgesOf(bought.event.memberId)).toEqual([]);
  await ds().manager.update(Badge, { id: first.id }, { status: 'retired' });
  forgetProgramConfiguration(ds());
});

it("gives the surviving member of a merge the union of both members' badges, one award each with the earliest date", async () => {
  const [x, y, z] = [
    await badge({ name: 'Merge X', rule: 'challenge' }),
    await badge({ name: 'Merge Y', rule: 'challenge' }),
    await badge({ name: 'Merge Z', rule: 'challenge' }),
  ];
  const old = await p.member('mg-old-card');
  const current = await p.member('mg-new-card');
  const at = (days: number) => new Date(now.getTime() - days * 86_400_000);
  await ds().manager.insert(MemberBadge, [
    { badgeId: x.id, memberId: old.member.id, awardedAt: at(30), eventId: null, challengeId: null },
    { badgeId: y.id, memberId: old.member.id, awardedAt: at(5), eventId: null, challengeId: null },
    { badgeId: y.id, memberId: current.member.id, awardedAt: at(10), eventId: null, challengeId: null },
    { badgeId: z.id, memberId: current.member.id, awardedAt: at(1), eventId: null, challengeId: null },
  ]);
  await inTransaction(ds(), (m) =>
    mergeMembers(m, p.ledger, { fromMemberId: old.member.id, intoMemberId: current.member.id, cause: 'care', requestedBy: 'test' }),
  );
  const held = await ds().manager.find(MemberBadge, { where: { memberId: current.member.id }, order: { awardedAt: 'ASC' } });
  expect(held.map((b) => [b.badgeId, b.awardedAt.toISOString()])).toEqual([
    [x.id, at(30).toISOString()],
    [y.id, at(10).toISOString()],
    [z.id, at(1).toISOString()],
  ]);
  expect(await ds().manager.count(MemberBadge, { where: { memberId: old.member.id } })).toBe(0);
  await ledgerTrue();
});

const getApi = async (path: string) => {
  const response = await fetch(`${api.url}/api/v1${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: response.status, body: await response.json() };
};

it('reads an instant-win campaign past its end as ended, in the API and to staff, and draws nothing for it', async () => {
  const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
  const campaign = await inTransaction(ds(), (m) =>
    saveInstantWinCampaign(
      m,
      {
        name: 'Short moments',
        mode: 'probability',
        winChance: '100',
        startsAt: minutes(-60),
        endsAt: minutes(-1),
        prizePoints: '5',
        prizeBudget: '10',
        status: 'live',
      },
      { kind: 'partner', partnerId: shop.partner.id },
    ),
  );
  expect((await getApi(`/instant-wins/${campaign.id}`)).body).toMatchObject({
    status: 'ended',
    seed: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  expect((await viewInstantWin(ds().manager, campaign.id, { kind: 'operator' })).status).toBe('ended');
  const running = await inTransaction(ds(), (m) =>
    saveInstantWinCampaign(
      m,
      {
        name: 'Long moments',
        mode: 'probability',
        winChance: '1',
        startsAt: minutes(-60),
        endsAt: minutes(60),
        prizePoints: '5',
        prizeBudget: '1',
        status: 'live',
      },
      { kind: 'partner', partnerId: shop.partner.id },
    ),
  );
  expect((await getApi(`/instant-wins/${running.id}`)).body).toMatchObject({ status: 'live', seed: null, draws: null });
  await ds().manager.update(InstantWinCampaign, [campaign.id, running.id], { status: 'ended' });
});

it("pages a large campaign's draws by cursor, in draw order, each once", async () => {
  const campaign = await inTransaction(ds(), (m) =>
    saveInstantWinCampaign(
      m,
      {
        name: 'Big moments',
        mode: 'probability',
        winChance: '1',
        startsAt: new Date(now.getTime() - 7 * 86_400_000).toISOString(),
        endsAt: new Date(now.getTime() - 86_400_000).toISOString(),
        prizePoints: '5',
        prizeBudget: '10',
        status: 'ended',
      },
      { kind: 'partner', partnerId: shop.partner.id },
    ),
  );
  const member = await p.member('iw-crowd');
  const total = 2_345;
  await ds().query(
    `INSERT INTO instant_win_draw ("campaignId", "eventId", "drawNumber", "memberId", "drawnAt", "randomValue", outcome, "prizePoints")
     SELECT $1, gen_random_uuid(), n, $2, $3::timestamptz + n * interval '1 second', 0.5, 'lost', 0 FROM generate_series(1, $4::int) n`,
    [campaign.id, member.member.id, new Date(now.getTime() - 6 * 86_400_000), total],
  );
  await ds().query(`UPDATE instant_win_campaign SET "drawCount" = $2 WHERE id = $1`, [campaign.id, total]);

  const first = await getApi(`/instant-wins/${campaign.id}`);
  expect(first.status).toBe(200);
  expect(first.body.draws).toHaveLength(100);
  expect(first.body.nextCursor).toEqual(expect.any(String));
  const numbers: number[] = first.body.draws.map((d: { drawNumber: number }) => d.drawNumber);
  let cursor: string | null = first.body.nextCursor;
  let pages = 1;
  while (cursor) {
    const page = await getApi(`/instant-wins/${campaign.id}?limit=500&cursor=${cursor}`);
    expect(page.status).toBe(200);
    expect(page.body.draws.length).toBeLessThanOrEqual(500);
    numbers.push(...page.body.draws.map((d: { drawNumber: number }) => d.drawNumber));
    cursor = page.body.nextCursor;
    pages++;
  }
  expect(pages).toBe(1 + Math.ceil((total - 100) / 500));
  expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i + 1));

  for (const [query, field] of [
    ['limit=0', 'query.limit'],
    ['limit=501', 'query.limit'],
    ['cursor=not-a-cursor!', 'query.cursor'],
  ] as const) {
    const refused = await getApi(`/instant-wins/${campaign.id}?${query}`);
    expect(refused.status, query).toBe(400);
    expect(JSON.stringify(refused.body), query).toContain(field);
  }
}, 60_000);
