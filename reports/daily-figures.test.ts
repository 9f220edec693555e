import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { pointsUnit } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { refreshDailyFigures } from './daily-figures.js';
import { dateRange } from './date-range.js';
import { programStats } from './program-stats.js';

/**
 * The points flow from the daily figures must equal the one the transfers themselves give (the
 * queries the dashboard ran before the figures existed), for the program and each partner, before
 * any refresh, after one, with transfers written since, and with transfers that land late on a past day.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let partners: Awaited<ReturnType<typeof p.partner>>[];
let members: Awaited<ReturnType<typeof p.member>>[];
const now = new Date();
const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
const dayAt = (n: number, hours = 12) => new Date(today + n * 86_400_000 + hours * 3_600_000);
const range = () => dateRange({ preset: '30' }, now);
let key = 0;

/** Moves a transfer (and nothing else) to another moment, as if written then. */
const movedTo = async (transferId: string, at: Date) =>
  db.dataSource.query(`UPDATE ledger_transfer SET "createdAt" = $2 WHERE id = $1`, [transferId, at]);

async function earn(partner: number, member: number, amount: number, at: Date, kind: 'earn' | 'bonus' = 'earn') {
  const result = await p.ledger.transfer({
    source: 'test',
    key: `k${key++}`,
    legs: [
      { debitAccountId: partners[partner]!.wallet.id, creditAccountId: members[member]!.account.id, amount, kind, expiresAt: dayAt(400) },
    ],
  });
  for (const t of result.transfers) await movedTo(t.id, at);
}

async function spend(member: number, amount: number, at: Date, kind: 'burn' | 'expire' = 'burn') {
  const result = await p.ledger.transfer({
    source: 'test',
    key: `k${key++}`,
    legs: [
      {
        debitAccountId: members[member]!.account.id,
        creditAccountId: kind === 'burn' ? p.program.redemption.id : p.program.breakage.id,
        amount,
        kind,
      },
    ],
  });
  for (const t of result.transfers) await movedTo(t.id, at);
}

/** The dashboard's points flow as computed before the daily figures: straight from the transfers. */
async function fromTransfers(manager: EntityManager, partnerId?: string) {
  const { start: since, end: until } = range();
  const [wallet] = partnerId
    ? await manager.query(`SELECT id FROM ledger_account WHERE "partnerId" = $1 AND kind = 'partner_wallet'`, [partnerId])
    : [];
  const day = `to_char(date_trunc('day', t."createdAt" AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`;
  const issued = await manager.query(
    `SELECT ${day} AS day, SUM(t.amount)::int AS points FROM ledger_transfer t
      WHERE t.kind IN ('earn', 'bonus') AND t."createdAt" >= $1 AND t."createdAt" < $3 AND ($2::uuid IS NULL OR t."debitAccountId" = $2)
      GROUP BY 1 ORDER BY 1`,
    [since, wallet?.id ?? null, until],
  );
  const consumed = (kind: string) =>
    manager.query(
      `SELECT ${day} AS day, SUM(c.points)::int AS points
         FROM lot_consumption c JOIN ledger_transfer t ON t.id = c."transferId" JOIN point_lot l ON l.id = c."lotId"
         JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
        WHERE t.kind = $1 AND t."createdAt" >= $2 AND t."createdAt" < $4 AND ($3::uuid IS NULL OR l."fundingPartnerId" = $3)
        GROUP BY 1 ORDER BY 1`,
      [kind, since, partnerId ?? null, until],
    );
  const top = await manager.query(
    `SELECT p.name, SUM(t.amount)::int AS points FROM ledger_transfer t
       JOIN ledger_account a ON a.id = t."debitAccountId" AND a.kind = 'partner_wallet'
       JOIN partner p ON p.id = a."partnerId"
      WHERE t.kind IN ('earn', 'bonus') AND t."createdAt" >= $1 AND t."createdAt" < $2
      GROUP BY p.name ORDER BY 2 DESC, 1 LIMIT 5`,
    [since, until],
  );
  return { issued, burned: await consumed('burn'), expired: await consumed('expire'), top };
}

/** The non-zero days of a series, as the raw queries return them. */
const daysOf = (days: string[], values: number[]) => days.flatMap((day, i) => (values[i] ? [{ day, points: values[i] }] : []));

async function expectSameFlow() {
  const manager = db.dataSource.manager;
  for (const partnerId of [undefined, ...partners.map((x) => x.partner.id)]) {
    const stats = await programStats(manager, { partnerId, range: range(), now });
    const raw = await fromTransfers(manager, partnerId);
    expect({
      issued: daysOf(stats.days, stats.issued),
      burned: daysOf(stats.days, stats.burned),
      expired: daysOf(stats.days, stats.expired),
    }).toEqual({
      issued: raw.issued,
      burned: raw.burned,
      expired: raw.expired,
    });
    if (!partnerId) expect(stats.topPartners).toEqual(raw.top);
  }
}

const figureOf = async (day: Date, kind: string, partnerId: string) =>
  Number(
    (
      await db.dataSource.query(
        `SELECT COALESCE(SUM(points), 0) AS points FROM daily_figure WHERE day = $1::date AND kind = $2 AND "partnerId" = $3`,
        [day.toISOString().slice(0, 10), kind, partnerId],
      )
    )[0].points,
  );

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  partners = [await p.partner(100_000), await p.partner(100_000), await p.partner(100_000)];
  members = [await p.member(), await p.member(), await p.member()];
  // A month of history, and a few days before the range.
  for (let d = -34; d <= 0; d += 3) {
    await earn(d % 2 === 0 ? 0 : 1, Math.abs(d) % 3, 100 + Math.abs(d), dayAt(d, 9));
    await earn(2, 0, 50, dayAt(d, 23), 'bonus');
    if (d > -30) await spend(0, 40, dayAt(d, 18));
  }
  await spend(1, 30, dayAt(-6, 1), 'expire');
});
afterAll(() => db.drop());

describe('the points flow from the daily figures', () => {
  it('equals the transfers before the figures were ever computed', async () => {
    await expectSameFlow();
  });

  it('equals the transfers once computed, and a second refresh with nothing new changes nothing', async () => {
    expect((await refreshDailyFigures(db.dataSource)).rebuilt).toBe(true);
    await expectSameFlow();
    expect(await figureOf(dayAt(-4), 'issued', partners[0]!.partner.id)).toBe(104);
    expect(await refreshDailyFigures(db.dataSource)).toEqual({ rows: 0, rebuilt: false });
    await expectSameFlow();
  });

  it('counts transfers written since the last refresh, late ones for past days included, and keeps them once refreshed', async () => {
    await earn(0, 1, 7, dayAt(0, 0));
    await earn(0, 2, 9, dayAt(-4, 15));
    await spend(2, 5, dayAt(-10, 8));
    await expectSameFlow();
    expect(await figureOf(dayAt(-4), 'issued', partners[0]!.partner.id)).toBe(104);

    expect((await refreshDailyFigures(db.dataSource)).rows).toBeGreaterThan(0);
    expect(await figureOf(dayAt(-4), 'issued', partners[0]!.partner.id)).toBe(113);
    await expectSameFlow();
    await refreshDailyFigures(db.dataSource);
    await expectSameFlow();
  });

  it('counts a transfer still uncommitted when the figures were refreshed once it commits, on the day it was written for', async () => {
    const late = db.dataSource.createQueryRunner();
    await late.connect();
    await late.startTransaction();
    // A ledger write taking its number before the refresh and committing after it, for a past day.
    const [{ seq }] = await late.query(
      `INSERT INTO ledger_transfer (id, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind, "idempotencySource", "idempotencyKey", "requestHash", "createdAt")
       VALUES ($1, $2, 0, $3, 0, 11, 'earn', 'test', $4, 'h', $5) RETURNING seq`,
      [randomUUID(), partners[1]!.wallet.id, members[0]!.account.id, `late-${randomUUID()}`, dayAt(-7, 10)],
    );
    await earn(2, 1, 13, dayAt(0, 1));
    await refreshDailyFigures(db.dataSource);
    const [{ transferGaps }] = await db.dataSource.query(`SELECT "transferGaps" FROM daily_figure_watermark`);
    expect(transferGaps).toContain(String(seq));
    await late.commitTransaction();
    await late.release();

    await expectSameFlow();
    const before = await figureOf(dayAt(-7), 'issued', partners[1]!.partner.id);
    await refreshDailyFigures(db.dataSource);
    expect(await figureOf(dayAt(-7), 'issued', partners[1]!.partner.id)).toBe(before + 11);
    await expectSameFlow();
  });

  it('rebuilt from scratch, gives the same figures as kept up to date', async () => {
    const kept = await db.dataSource.query(
      `SELECT day::text, kind, "partnerId", SUM(points)::int AS points FROM daily_figure GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    expect((await refreshDailyFigures(db.dataSource, { rebuild: true })).rebuilt).toBe(true);
    const rebuilt = await db.dataSource.query(
      `SELECT day::text, kind, "partnerId", SUM(points)::int AS points FROM daily_figure GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    expect(rebuilt).toEqual(kept);
    await expectSameFlow();
  });
});
