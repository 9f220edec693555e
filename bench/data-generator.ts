import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { createPartitionSql, monthsBetween, partitionedTables } from '../entities/partitioned-tables.js';
import { hotAccountShards, openPartnerWallet, openProgramAccounts } from '../loyalty/ledger/accounts.js';

export interface DataSizes {
  members: number;
  /** Member transfers (earns and burns); the partners' purchases come on top. */
  transfers: number;
  partners: number;
  /** Members whose oldest lot falls due today, with points left in it. */
  dueLots: number;
  months: number;
}

export function sizesFromEnvironment(env: NodeJS.ProcessEnv = process.env): DataSizes {
  const members = Number(env.BENCH_MEMBERS ?? 1_000_000);
  return {
    members,
    transfers: Number(env.BENCH_TRANSFERS ?? members * 10),
    partners: Number(env.BENCH_PARTNERS ?? 100),
    dueLots: Math.min(members, Number(env.BENCH_DUE_LOTS ?? members)),
    months: 18,
  };
}

/** The tables COPY fills; their keys, indexes and foreign keys are dropped during the load and rebuilt after. */
const loadedTables = [
  'member',
  'member_link',
  'ledger_account',
  'ledger_balance',
  'ledger_transfer',
  'ledger_idempotency',
  'point_lot',
  'lot_consumption',
  'member_event',
];
/** Loaded tables that start empty: truncated in the COPY's transaction, so that wal_level=minimal skips their WAL. */
const emptyTables = new Set([
  'member',
  'member_link',
  'ledger_transfer',
  'ledger_idempotency',
  'point_lot',
  'lot_consumption',
  'member_event',
]);

interface Definition {
  table: string;
  name: string;
  sql: string;
}

/** Lines of one COPY, written in chunks and paced by the stream's back-pressure. */
class CopyWriter {
  private lines: string[] = [];
  private size = 0;
  constructor(private readonly stream: Writable) {}

  row(fields: (string | number | null)[]): void {
    const line = fields.map((f) => (f === null ? '\\N' : String(f))).join('\t');
    this.lines.push(line);
    this.size += line.length;
  }

  /** Sends the rows gathered so far once they make a chunk worth a write. */
  async paced(): Promise<void> {
    if (this.size > 256 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const chunk = `${this.lines.join('\n')}\n`;
    this.lines = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

const day = 86_400_000;
const randomInt = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Fills a migrated, empty database with a coalition: partners with wallets and a point of sale,
 * members with a link to their home partner, their earns (a lot and a member event each) and
 * burns (consuming their oldest lot), spread over `months`, and the partners' purchases that
 * funded the earns. Balances are the sums of the transfers, so the ledger check passes. Each
 * member's first lot is the oldest; for `dueLots` members it expires today with points left.
 */
export async function generateBenchData(
  dataSource: DataSource,
  url: string,
  sizes: DataSizes,
  phase: (name: string) => void,
): Promise<void> {
  const program = await openProgramAccounts(dataSource.manager);
  const partners: { id: string; walletId: string }[] = [];
  for (let p = 0; p < sizes.partners; p += 1) {
    const id = randomUUID();
    const code = `bench-${String(p).padStart(3, '0')}`;
    await dataSource.query(`INSERT INTO partner (id, code, name, kind, "contactEmail") VALUES ($1, $2, $3, 'web_shop', $4)`, [
      id,
      code,
      `Bench partner ${p}`,
      `${code}@bench.test`,
    ]);
    await dataSource.query(`INSERT INTO point_of_sale ("partnerId", code, name, channel) VALUES ($1, 'main', 'Main store', 'store')`, [id]);
    const wallet = await openPartnerWallet(dataSource.manager, { id, code });
    partners.push({ id, walletId: wallet.id });
  }
  phase('partners and program accounts');

  const dropped = await dropKeysAndIndexes(dataSource);
  phase('keys and indexes dropped');
  // The months of the generated history get their partitions, as the maintenance job keeps them, instead of all landing in the default one.
  for (const { table } of partitionedTables) {
    for (const month of monthsBetween(new Date(Date.now() - sizes.months * 30 * day - 2 * day), new Date())) {
      await dataSource.query(createPartitionSql(table, month));
    }
  }
  // COPY FREEZE cannot fill a partitioned table.
  const partitioned = new Set(
    (await dataSource.query(`SELECT relname FROM pg_class WHERE relkind = 'p' AND relname = ANY($1)`, [loadedTables])).map(
      (r: { relname: string }) => r.relname,
    ),
  );

  const clients = new Map<string, pg.Client>();
  const writers = new Map<string, CopyWriter>();
  const columns: Record<string, string> = {
    member: `id, "externalId", email, "enrolledAt"`,
    member_link: `"partnerId", "customerId", "memberId", cause, "linkedAt"`,
    ledger_account: `id, code, kind, "memberId", "mayGoNegative", "shardCount", "createdAt"`,
    ledger_balance: `"accountId", shard, "mayGoNegative", "debitsPosted", "creditsPosted"`,
    ledger_idempotency: `source, key, leg, "transferId", "requestHash", "createdAt"`,
    ledger_transfer: `id, seq, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind, phase, "idempotencySource", "idempotencyKey", leg, "requestHash", "references", "createdAt"`,
    point_lot: `id, "memberAccountId", "creditTransferId", "fundingPartnerId", points, remaining, "expiresAt", "createdAt"`,
    lot_consumption: `id, "lotId", "transferId", points, "createdAt"`,
    member_event: `id, "partnerId", "memberId", type, "amountCents", currency, "occurredAt", points, explanation, "earnTransferId", "recordedAt", "customerId"`,
  };
  for (const table of loadedTables) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('BEGIN');
    if (emptyTables.has(table)) await client.query(`TRUNCATE ${table}`);
    const stream = client.query(
      copyFrom(`COPY ${table} (${columns[table]}) FROM STDIN${emptyTables.has(table) && !partitioned.has(table) ? ' (FREEZE)' : ''}`),
    );
    clients.set(table, client);
    writers.set(table, new CopyWriter(stream));
  }
  const w = (table: string) => writers.get(table)!;

  const now = Date.now();
  const today = new Date(new Date(now).toISOString().slice(0, 10)).getTime();
  const start = now - sizes.months * 30 * day;
  const span = now - day - start;
  const walletDebits = new Map<string, number>();
  const redemptionCredits = new Array<number>(hotAccountShards).fill(0);
  let seq = 0;
  let consumptionId = 0;
  const perMember = Math.floor(sizes.transfers / sizes.members);
  const extra = sizes.transfers % sizes.members;

  const transfer = (
    id: string,
    debit: string,
    debitShard: number,
    credit: string,
    creditShard: number,
    amount: number,
    kind: string,
    references: string,
    at: number,
  ) => {
    seq += 1;
    // Its idempotency key's claim, which a replay of the request finds it by.
    w('ledger_idempotency').row(['bench', String(seq), 0, id, 'bench', iso(at)]);
    return w('ledger_transfer').row([
      id,
      seq,
      debit,
      debitShard,
      credit,
      creditShard,
      amount,
      kind,
      'single',
      'bench',
      String(seq),
      0,
      'bench',
      references,
      iso(at),
    ]);
  };

  for (let i = 0; i < sizes.members; i += 1) {
    const memberId = randomUUID();
    const accountId = randomUUID();
    const home = partners[i % partners.length]!;
    const count = Math.max(1, perMember + (i < extra ? 1 : 0));
    // The first transfer is in the first month: the member's oldest lot.
    const times = [start + Math.random() * 30 * day, ...Array.from({ length: count - 1 }, () => start + Math.random() * span)].sort(
      (a, b) => a - b,
    );
    w('member').row([memberId, `m${i}`, `m${i}@bench.test`, iso(times[0]! - day)]);
    w('member_link').row([home.id, `c${i}`, memberId, 'store', iso(times[0]! - day)]);
    w('ledger_account').row([accountId, `member:m${i}`, 'member', memberId, 'f', 1, iso(times[0]! - day)]);

    // Planned before it is written: the first earn (the oldest lot) is sized to pay for every burn and keep some.
    const burns = times.slice(1).map(() => (Math.random() < 0.3 ? randomInt(10, 300) : 0));
    const firstLot = randomUUID();
    let credits = 0;
    let debits = 0;
    for (const [index, at] of times.entries()) {
      const burn = index === 0 ? 0 : burns[index - 1]!;
      if (burn > 0) {
        const shard = randomInt(0, hotAccountShards - 1);
        const transferId = randomUUID();
        redemptionCredits[shard]! += burn;
        transfer(transferId, accountId, 0, program.redemption.id, shard, burn, 'burn', '{}', at);
        consumptionId += 1;
        w('lot_consumption').row([consumptionId, firstLot, transferId, burn, iso(at)]);
        debits += burn;
        continue;
      }
      const partner = index === 0 || Math.random() < 0.7 ? home : partners[randomInt(0, partners.length - 1)]!;
      const shard = randomInt(0, hotAccountShards - 1);
      const transferId = randomUUID();
      const eventId = randomUUID();
      const spent = index === 0 ? burns.reduce((sum, b) => sum + b, 0) : 0;
      const points = spent + randomInt(5, 200);
      const amountCents = points * 100 + randomInt(0, 99);
      walletDebits.set(`${partner.walletId}:${shard}`, (walletDebits.get(`${partner.walletId}:${shard}`) ?? 0) + points);
      transfer(transferId, partner.walletId, shard, accountId, 0, points, 'earn', `{"event":"${eventId}"}`, at);
      w('member_event').row([
        eventId,
        partner.id,
        memberId,
        'purchase',
        amountCents,
        'EUR',
        iso(at),
        points,
        `[{"rule":"base","points":${points},"reason":"1 point per euro"}]`,
        transferId,
        iso(at),
        partner === home ? `c${i}` : `c${i}-${partner.id.slice(0, 8)}`,
      ]);
      const expiresAt = index === 0 && i < sizes.dueLots ? today : at + 730 * day;
      w('point_lot').row([
        index === 0 ? firstLot : randomUUID(),
        accountId,
        transferId,
        partner.id,
        points,
        points - spent,
        iso(expiresAt),
        iso(at),
      ]);
      credits += points;
    }
    w('ledger_balance').row([accountId, 0, 'f', debits, credits]);
    for (const writer of writers.values()) await writer.paced();
  }

  for (const [key, points] of walletDebits) {
    const [walletId, shard] = key.split(':');
    // Each wallet shard bought what it paid out and a reserve, before the first earn.
    transfer(randomUUID(), program.issuance.id, 0, walletId!, Number(shard), points + 100_000, 'purchase', '{}', start - day);
  }
  for (const table of loadedTables) {
    await w(table).end();
    await clients.get(table)!.query('COMMIT');
    await clients.get(table)!.end();
  }
  phase(`COPY of ${sizes.members} members and ${seq} transfers`);
  await dataSource.query(`SELECT setval('ledger_transfer_seq_seq', $1), setval('lot_consumption_id_seq', GREATEST($2, 1))`, [
    seq,
    consumptionId,
  ]);
  await dataSource.query(
    `UPDATE ledger_balance b SET "debitsPosted" = b."debitsPosted" + s.debits, "creditsPosted" = b."creditsPosted" + s.credits
       FROM (SELECT "accountId", shard, SUM(debits) AS debits, SUM(credits) AS credits
               FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::bigint[]) AS u("accountId", shard, debits, credits)
              GROUP BY 1, 2) s
      WHERE b."accountId" = s."accountId" AND b.shard = s.shard`,
    balanceDeltas(),
  );
  phase('sequences and program balances');
  await restoreKeysAndIndexes(url, dropped);
  phase('keys and indexes rebuilt');
  await dataSource.query('ANALYZE');
  phase('ANALYZE');

  function balanceDeltas() {
    const ids: string[] = [];
    const shards: number[] = [];
    const debits: number[] = [];
    const credits: number[] = [];
    const add = (id: string, shard: number, debit: number, credit: number) => {
      ids.push(id);
      shards.push(shard);
      debits.push(debit);
      credits.push(credit);
    };
    let issued = 0;
    for (const [key, points] of walletDebits) {
      const [walletId, shard] = key.split(':');
      add(walletId!, Number(shard), points, points + 100_000);
      issued += points + 100_000;
    }
    add(program.issuance.id, 0, issued, 0);
    redemptionCredits.forEach((points, shard) => add(program.redemption.id, shard, 0, points));
    return [ids, shards, debits, credits];
  }
}

/**
 * Drops the loaded tables' keys, unique constraints and indexes, and every foreign key to or from
 * them (TRUNCATE needs that), returning their definitions: COPY into bare tables, then one
 * sorted build per index, is several times faster than maintaining them row by row.
 */
async function dropKeysAndIndexes(dataSource: DataSource): Promise<{ keys: Definition[]; indexes: Definition[]; foreign: Definition[] }> {
  const foreign: Definition[] = await dataSource.query(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS sql FROM pg_constraint
      WHERE contype = 'f' AND conparentid = 0 AND (conrelid::regclass::text = ANY($1) OR confrelid::regclass::text = ANY($1))`,
    [loadedTables],
  );
  const keys: Definition[] = await dataSource.query(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS sql FROM pg_constraint
      WHERE contype IN ('p', 'u') AND conparentid = 0 AND conrelid::regclass::text = ANY($1)`,
    [loadedTables],
  );
  const indexes: Definition[] = await dataSource.query(
    // A partitioned table's index prints as ON ONLY the parent: rebuilt so, no partition would have it.
    `SELECT tablename AS table, indexname AS name, replace(indexdef, ' ON ONLY ', ' ON ') AS sql FROM pg_indexes
      WHERE schemaname = 'public' AND tablename = ANY($1) AND indexname <> ALL($2)`,
    [loadedTables, keys.map((k) => k.name)],
  );
  for (const f of foreign) await dataSource.query(`ALTER TABLE "${f.table}" DROP CONSTRAINT "${f.name}"`);
  for (const k of keys) await dataSource.query(`ALTER TABLE "${k.table}" DROP CONSTRAINT "${k.name}"`);
  for (const i of indexes) await dataSource.query(`DROP INDEX "${i.name}"`);
  return { keys, indexes, foreign };
}

/**
 * Rebuilds what was dropped. Foreign keys come back NOT VALID: they hold for every later write,
 * and the generated rows are consistent by construction (the ledger check verifies them), so
 * the full validation scan of tens of millions of rows is skipped.
 */
async function restoreKeysAndIndexes(
  url: string,
  dropped: { keys: Definition[]; indexes: Definition[]; foreign: Definition[] },
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET maintenance_work_mem = '512MB'`);
    for (const k of dropped.keys) await client.query(`ALTER TABLE "${k.table}" ADD CONSTRAINT "${k.name}" ${k.sql}`);
    for (const i of dropped.indexes) await client.query(i.sql);
    for (const f of dropped.foreign) await client.query(`ALTER TABLE "${f.table}" ADD CONSTRAINT "${f.name}" ${f.sql} NOT VALID`);
  } finally {
    await client.end();
  }
}
