import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { pointsUnit } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { refreshDailyFigures } from './daily-figures.js';
import { expiryForecast } from './expiry-forecast.js';
import { liabilityByFunder, programFunder } from './liability.js';
import { programStats } from './program-stats.js';

/**
 * The liability, the expiry forecast and the outstanding points read the holdings the daily
 * figures job keeps plus the ledger's rows since; they must equal what the open lots themselves
 * give (the queries these charts ran before), for the program and each partner: before any
 * refresh, after one, with burns, voids, reversals and expiries since, and with a write that
 * commits after a refresh that could not see it.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let partners: Awaited<ReturnType<typeof p.partner>>[];
let members: Awaited<ReturnType<typeof p.member>>[];
const now = new Date();
const inMonths = (months: number, day = 10) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, day, 12));
let key = 0;

async function earn(partner: number, member: number, amount: number, expiresAt: Date | null) {
  const result = await p.ledger.transfer({
    source: 'test',
    key: `h${key++}`,
    legs: [
      {
        debitAccountId: partners[partner]!.wallet.id,
        creditAccountId: members[member]!.account.id,
        amount,
        kind: 'earn',
        ...(expiresAt ? { expiresAt } : {}),
      },
    ],
  });
  return result.transfers[0]!;
}

async function debit(member: number, amount: number, kind: 'burn' | 'expire' = 'burn') {
  const result = await p.ledger.transfer({
    source: 'test',
    key: `h${key++}`,
    legs: [
      {
        debitAccountId: members[member]!.account.id,
        creditAccountId: kind === 'burn' ? p.program.redemption.id : p.program.breakage.id,
        amount,
        kind,
      },
    ],
  });
  return result.transfers[0]!;
}

/** The three charts as computed before the holdings were kept: from every open lot. */
async function fromLots(manager: EntityManager, partnerId?: string) {
  const funders: { funder: string | null; points: string }[] = await manager.query(
    `SELECT p.name AS funder, SUM(l.remaining) AS points
       FROM point_lot l JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
       LEFT JOIN partner p ON p.id = l."fundingPartnerId"
      WHERE l.remaining > 0 AND ($1::uuid IS NULL OR l."fundingPartnerId" = $1) GROUP BY l."fundingPartnerId", p.name ORDER BY 2 DESC, 1`,
    [partnerId ?? null],
  );
  const horizon = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 12, 1));
  const months: { month: string; funder: string | null; points: string }[] = await manager.query(
    `SELECT to_char(GREATEST(l."expiresAt", $2) AT TIME ZONE 'UTC', 'YYYY-MM') AS month, p.name AS funder, SUM(l.remaining) AS points
       FROM point_lot l LEFT JOIN partner p ON p.id = l."fundingPartnerId"
       JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
      WHERE l.remaining > 0 AND l."expiresAt" < $3 AND ($1::uuid IS NULL OR l."fundingPartnerId" = $1)
      GROUP BY 1, 2 ORDER BY 2, 1`,
    [partnerId ?? null, now, horizon],
  );
  const [{ never }] = await manager.query(
    `SELECT COALESCE(SUM(l.remaining), 0)::int AS never
       FROM point_lot l JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
      WHERE l.remaining > 0 AND l."expiresAt" IS NULL AND ($1::uuid IS NULL OR l."fundingPartnerId" = $1)`,
    [partnerId ?? null],
  );
  return {
    funders: funders.map((f) => ({ funder: f.funder ?? programFunder, points: Number(f.points) })),
    months: months.map((m) => ({ month: m.month, funder: m.funder ?? programFunder, points: Number(m.points) })),
    never,
    outstanding: funders.reduce((sum, f) => sum + Number(f.points), 0),
  };
}

async function expectSameHoldings() {
  const manager = db.dataSource.manager;
  for (const partnerId of [undefined, ...partners.map((x) => x.partner.id)]) {
    const raw = await fromLots(manager, partnerId);
    const liability = await liabilityByFunder(manager, { partnerId });
    const forecast = await expiryForecast(manager, { partnerId, now });
    const stats = await programStats(manager, { partnerId, now });
    expect({
      funders: liability.funders.map((f) => ({ funder: f.funder, points: f.points })),
      months: forecast.funders
        .flatMap((f) => f.points.map((points, i) => ({ month: forecast.months[i]!, funder: f.funder, points })))
        .filter((m) => m.points !== 0)
        .sort((a, b) => a.funder.localeCompare(b.funder) || a.month.localeCompare(b.month)),
      never: forecast.neverExpire,
      outstanding: stats.outstanding,
    }).toEqual({ ...raw, months: [...raw.months].sort((a, b) => a.funder.localeCompare(b.funder) || a.month.localeCompare(b.month)) });
  }
}

/** What the job keeps in `holding_figure` for points, per funder and expiry month, without the emptied ones. */
const kept = () =>
  db.dataSource.query(
    `SELECT "fundingPartnerId", "expiryMonth"::text AS month, SUM(points)::int AS points FROM holding_figure WHERE unit = $1
      GROUP BY 1, 2 HAVING SUM(points) <> 0 ORDER BY 1, 2`,
    [pointsUnit],
  );
const openLots = () =>
  db.dataSource.query(
    `SELECT l."fundingPartnerId", to_char(date_trunc('month', l."expiresAt" AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS month, SUM(l.remaining)::int AS points
       FROM point_lot l JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = $1
      WHERE l.remaining > 0 GROUP BY 1, 2 ORDER BY 1, 2`,
    [pointsUnit],
  );

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  partners = [await p.partner(100_000), await p.partner(100_000), await p.partner(100_000)];
  members = [await p.member(), await p.member(), await p.member()];
  for (let m = -2; m <= 14; m += 2) await earn((m + 2) % 3, Math.abs(m) % 3, 100 + m, inMonths(m));
  await earn(1, 0, 70, null);
  await earn(2, 1, 20, new Date(now.getTime() - 60_000));
  // The program's own points: a care agent's goodwill, funded by no partner.
  await p.ledger.transfer({
    source: 'test',
    key: `h${key++}`,
    legs: [
      { debitAccountId: p.program.care.id, creditAccountId: members[2]!.account.id, amount: 35, kind: 'earn', expiresAt: inMonths(3) },
    ],
  });
  await debit(0, 60);
});
afterAll(() => db.drop());

describe('the holdings charts from the kept holdings', () => {
  it('equal the open lots before the holdings were ever computed', async () => {
    await expectSameHoldings();
  });

  it('are kept by the daily figures refresh, per funder and expiry month', async () => {
    await refreshDailyFigures(db.dataSource);
    expect(await kept()).toEqual(await openLots());
    await expectSameHoldings();
  });

  it('count burns, voided holds, reversals and expiries written since the last refresh, and keep them once refreshed', async () => {
    const burn = await debit(1, 90);
    const held = await p.ledger.hold({
      source: 'test',
      key: `h${key++}`,
      until: inMonths(1),
      legs: [{ debitAccountId: members[2]!.account.id, creditAccountId: p.program.redemption.id, amount: 50, kind: 'burn' }],
    });
    await expectSameHoldings();
    await p.ledger.void({ source: 'test', key: `h${key++}`, pendingTransferId: held.transfers[0]!.id });
    await p.ledger.reverse({ source: 'test', key: `h${key++}`, transferId: burn.id });
    const refunded = await earn(0, 2, 80, inMonths(5));
    await p.ledger.reverse({ source: 'test', key: `h${key++}`, transferId: refunded.id, amount: 30 });
    await debit(1, 15, 'expire');
    await expectSameHoldings();

    await refreshDailyFigures(db.dataSource);
    expect(await kept()).toEqual(await openLots());
    await expectSameHoldings();
  });

  it('count a write still uncommitted when the holdings were refreshed once it commits', async () => {
    const late = db.dataSource.createQueryRunner();
    await late.connect();
    await late.startTransaction();
    await p.ledger.transfer(
      {
        source: 'test',
        key: `h${key++}`,
        legs: [
          {
            debitAccountId: partners[1]!.wallet.id,
            creditAccountId: members[1]!.account.id,
            amount: 11,
            kind: 'earn',
            expiresAt: inMonths(2),
          },
        ],
      },
      late.manager,
    );
    await earn(2, 0, 13, inMonths(2));
    await refreshDailyFigures(db.dataSource);
    await late.commitTransaction();
    await late.release();

    await expectSameHoldings();
    await refreshDailyFigures(db.dataSource);
    expect(await kept()).toEqual(await openLots());
    await expectSameHoldings();
  });

  it('rebuilt from scratch, are the same as kept up to date', async () => {
    const before = await kept();
    expect((await refreshDailyFigures(db.dataSource, { rebuild: true })).rebuilt).toBe(true);
    expect(await kept()).toEqual(before);
    await expectSameHoldings();
  });
});
