import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChallengeProgress, EarningRule, ProgramSettings } from '../entities/index.js';
import { createDataSource } from '../entities/data-source.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** Review finding on issue 14: counting a challenge and refunding a purchase lock the member's rows in one order. */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62, refundShortfall: 'debt' });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

it('counts a purchase towards a challenge while another purchase of the member is refunded, without a deadlock and without losing either', async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(1_000_000);
  const challenge = await inTransaction(ds, (m) =>
    saveChallenge(
      m,
      p.ledger,
      {
        name: 'Buy twice',
        metric: 'purchase_count',
        target: '2',
        period: 'once',
        timeZone: 'UTC',
        startsAt: '2026-01-01T00:00:00Z',
        endsAt: '2099-01-01T00:00:00Z',
        rewardPoints: '5',
        fundingPartnerId: shop.partner.id,
        status: 'live',
      },
      { kind: 'operator' },
    ),
  );
  forgetProgramConfiguration(ds);
  const now = new Date();
  const buy = (customer: string) =>
    inTransaction(ds, (m) =>
      recordEvent(m, p.ledger, {
        member: { externalId: customer },
        partnerId: shop.partner.id,
        type: 'purchase',
        amountCents: 2_000,
        currency: 'EUR',
        occurredAt: now,
        receivedAt: now,
      }),
    );
  // Each member: a first purchase counted (1 of 2), a second recorded and not counted yet.
  const members = await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      const first = await buy(`lock-${i}`);
      await countChallengeProgress(ds, p.ledger, first.event.id);
      const second = await buy(`lock-${i}`);
      return { memberId: first.memberId, accountId: first.memberAccountId, first: first.event.id, second: second.event.id };
    }),
  );

  // Counting the second (which completes the challenge and locks for the reward) while the first is
  // refunded (which takes the reward back if it was paid): the refunds run once, without retries.
  const racing = createDataSource({ url: db.url, poolSize: 40 });
  await racing.initialize();
  const ledger = new Ledger(racing);
  const deadlocksBefore = await deadlocks();
  const results = await Promise.allSettled(
    members.flatMap((m) => [
      countChallengeProgress(racing, ledger, m.second),
      racing.transaction((manager) =>
        refundEvent(manager, ledger, { partnerId: shop.partner.id, eventId: m.first, key: `lock-${m.first}` }),
      ),
    ]),
  );
  // Its sessions end, so the server has counted any deadlock they met.
  await racing.destroy();
  expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect((await deadlocks()) - deadlocksBefore).toBe(0);

  // Whatever the order, each member has the second purchase counted, the first withdrawn, and no reward kept.
  for (const m of members) {
    expect(
      await ds.manager.findOneByOrFail(ChallengeProgress, { challengeId: challenge.id, memberId: m.memberId, periodKey: 'once' }),
    ).toMatchObject({
      value: 1,
      completedAt: null,
    });
    expect(await p.available(m.accountId)).toBe(20);
  }
  expect((await checkLedger(ds.manager)).violations).toEqual([]);
}, 180_000);

async function deadlocks(): Promise<number> {
  const [row] = await db.dataSource.query(`SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`);
  return Number(row.deadlocks);
}
