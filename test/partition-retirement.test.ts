import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPartitionSql, partitionName } from '../entities/partitioned-tables.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

// Retention: old months of members' events are archived to gzip'd CSV and dropped; the ledger's
// lots stay attached, and while one of their month is open nothing is retired at all.
let db: TestDatabase;
const archiveDir = mkdtempSync(join(tmpdir(), 'tessera-archive-'));

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
  rmSync(archiveDir, { recursive: true, force: true });
});

// Read once: a run that crosses midnight at a month's end must not change the months it expects.
const today = new Date();
const month = (offset: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + offset, 1));
const yearMonth = (date: Date) => date.toISOString().slice(0, 7);

function retire(...args: string[]) {
  const result = spawnSync('npm', ['run', '--silent', 'partitions:retire', '--', ...args], {
    env: { ...process.env, DATABASE_URL: db.url },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const partitions = async (table: string) =>
  (
    await db.dataSource.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
      [table],
    )
  ).map((r: { relname: string }) => r.relname);
const events = () => db.dataSource.query(`SELECT to_jsonb(e) AS row FROM member_event e WHERE "occurredAt" < $1 ORDER BY id`, [month(-36)]);

// Five runs of the script, each a cold start of tsx: over a minute on two loaded cores.
it('refuses while an old lot is open or within retention, then archives old events, keeps the lots, and the archive loads back', async () => {
  const p = await createProgram(db.dataSource);
  const shop = await p.partner(1_000);
  const ann = await p.member('retire-ann');
  for (const offset of [-40, -38]) {
    for (const table of ['member_event', 'point_lot']) await db.dataSource.query(createPartitionSql(table, month(offset)));
    await db.dataSource.query(
      `INSERT INTO member_event ("partnerId", "memberId", "customerId", type, "occurredAt", points, lines)
       VALUES ($1, $2, 'ann', 'purchase', $3, 10, '[{"reference": "tea, \\"green\\"", "quantity": 2, "unitPriceCents": 350}]')`,
      [shop.partner.id, ann.member.id, new Date(month(offset).getTime() + 3 * 86_400_000)],
    );
  }
  const earned = await p.ledger.transfer({
    source: 'test',
    key: 'retire-earn',
    legs: [{ debitAccountId: shop.wallet.id, creditAccountId: ann.account.id, amount: 60, kind: 'earn' }],
  });
  // A lot of 40 months ago, still open.
  await db.dataSource.query(`UPDATE point_lot SET "createdAt" = $2 WHERE "creditTransferId" = $1`, [
    earned.transfers[0]!.id,
    new Date(month(-40).getTime() + 86_400_000),
  ]);
  const oldEvents = await events();
  expect(oldEvents).toHaveLength(2);

  expect(retire()).toMatchObject({ status: 2, output: expect.stringContaining('--before: a month as YYYY-MM is needed') });
  expect(retire('--before', yearMonth(month(-12)), '--archive-dir', archiveDir)).toEqual({
    status: 1,
    output: expect.stringContaining(
      `--before: the program keeps 36 months of events: only months before ${yearMonth(month(-36))} may be retired`,
    ),
  });
  const open = retire('--before', yearMonth(month(-37)), '--archive-dir', archiveDir);
  expect(open.status).toBe(1);
  expect(open.output).toContain(
    `Refused, nothing changed: --before: partitions of the ledger hold lots not yet spent or expired: ${partitionName('point_lot', month(-40))} (1 open)`,
  );
  expect(await partitions('member_event')).toEqual(
    expect.arrayContaining([partitionName('member_event', month(-40)), partitionName('member_event', month(-38))]),
  );
  expect(readdirSync(archiveDir)).toEqual([]);

  // The lot spent, the events of both old months go to the archive; the lots' partitions stay.
  await p.ledger.transfer({
    source: 'test',
    key: 'retire-burn',
    legs: [{ debitAccountId: ann.account.id, creditAccountId: p.program.redemption.id, amount: 60, kind: 'burn' }],
  });
  const done = retire('--before', yearMonth(month(-37)), '--archive-dir', archiveDir);
  expect(done.status).toBe(0);
  for (const offset of [-40, -38]) {
    const name = partitionName('member_event', month(offset));
    expect(done.output).toContain(`${name}: 1 rows archived to ${join(archiveDir, `${name}.csv.gz`)}, partition dropped`);
  }
  expect(done.output).toContain(
    `${partitionName('point_lot', month(-40))}: 1 rows, every lot closed: kept attached (the ledger's history)`,
  );
  expect(await partitions('member_event')).not.toContain(partitionName('member_event', month(-40)));
  expect(await partitions('point_lot')).toContain(partitionName('point_lot', month(-40)));
  expect(await events()).toEqual([]);
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([]);
  expect(retire('--before', yearMonth(month(-37)), '--archive-dir', archiveDir).output).not.toContain('archived');

  // The archive loads back into a partition of its month, row for row.
  for (const offset of [-40, -38]) {
    const name = partitionName('member_event', month(offset));
    await db.dataSource.query(createPartitionSql('member_event', month(offset)));
    const runner = db.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      await pipeline(
        Readable.from([gunzipSync(readFileSync(join(archiveDir, `${name}.csv.gz`)))]),
        client.query(copyFrom(`COPY member_event FROM STDIN (FORMAT csv, HEADER)`)),
      );
    } finally {
      await runner.release();
    }
  }
  expect(await events()).toEqual(oldEvents);
}, 300_000);
