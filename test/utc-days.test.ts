import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDataSource } from '../entities/data-source.js';
import { walletStatus } from '../loyalty/funding.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

// Day boundaries are UTC everywhere (README): never the database server's or session's own zone.
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

it("counts a partner's points issued today by the UTC day, whatever the database's time zone", async () => {
  const midnight = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z').getTime();
  // A zone whose "today" disagrees with UTC's about a moment just around UTC midnight, at this time of day.
  const morning = new Date().getUTCHours() < 12;
  const zone = morning ? 'Etc/GMT+12' : 'Etc/GMT-14';
  const aroundMidnight = new Date(morning ? midnight - 60_000 : midnight + 60_000);
  const name = new URL(db.url).pathname.slice(1);
  await db.dataSource.query(`ALTER DATABASE "${name}" SET timezone TO '${zone}'`);
  const zoned = createDataSource({ url: db.url });
  await zoned.initialize();
  try {
    const p = await createProgram(zoned);
    const { partner, wallet } = await p.partner(1_000);
    const { account } = await p.member('utc-ann');
    const earn = (amount: number, key: string) =>
      new Ledger(zoned).transfer({
        source: 'test',
        key,
        legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount, kind: 'earn' }],
      });
    await earn(7, 'now');
    const around = await earn(5, 'around-midnight');
    await zoned.query(`UPDATE ledger_transfer SET "createdAt" = $2 WHERE id = $1`, [around.transfers[0]!.id, aroundMidnight]);
    expect((await walletStatus(zoned.manager, partner.id)).issuedToday).toBe(morning ? 7 : 12);
  } finally {
    await zoned.destroy();
  }
});
