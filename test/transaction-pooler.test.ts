import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { openDataSource } from '../wiring/database.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startPgbouncer, type RunningPgbouncer } from './support/pgbouncer.js';
import { createProgram } from './support/program.js';

// DATABASE_URL through PgBouncer in transaction mode, DATABASE_DIRECT_URL to PostgreSQL itself.
let db: TestDatabase;
const poolers: RunningPgbouncer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(poolers.map((pooler) => pooler.stop()));
  await db?.drop();
});

it('writes the ledger through a transaction pooler, each transaction on whichever server connection, counting days in UTC', async () => {
  const pooler = await startPgbouncer(db.url, { serverPoolSize: 2 });
  poolers.push(pooler);
  const pooled = await openDataSource(pooler.url, { directUrl: db.url, poolSize: 10 });
  try {
    const p = await createProgram(pooled);
    // Ten client connections share two server connections: the ledger's statements meet connections that never saw them.
    const shops = await Promise.all(Array.from({ length: 30 }, (_, i) => p.partner(1_000 + i)));
    for (const [i, shop] of shops.entries()) expect(await p.posted(shop.wallet.id)).toBe(1_000 + i);
    expect((await checkLedger(pooled.manager)).violations).toEqual([]);
    expect((await pooled.query(`SHOW TimeZone`))[0].TimeZone).toBe('UTC');
  } finally {
    await pooled.destroy();
  }
});

it('refuses to start on a pooler whose connections are not in UTC, saying what to set', async () => {
  const pooler = await startPgbouncer(db.url, { timezone: 'Europe/Amsterdam' });
  poolers.push(pooler);
  await expect(openDataSource(pooler.url, { directUrl: db.url })).rejects.toThrow(
    "DATABASE_URL's pooler gives connections in the time zone Europe/Amsterdam: Tessera counts days in UTC. Set timezone=UTC",
  );
});
