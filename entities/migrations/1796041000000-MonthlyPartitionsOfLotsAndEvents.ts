import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createPartitionSql, defaultPartitionName, monthsAhead, monthsBetween, monthStart } from '../partitioned-tables.js';

/** What each converted table is rebuilt with: its primary key and indexes, by the names TypeORM gives them. */
interface Shape {
  table: string;
  column: string;
  partitionedKey: string;
  plainKey: string;
  indexes: string[];
  /** Foreign keys of the table's own columns, recreated if the table had them (another migration may have dropped one). */
  foreignKeys: { name: string; definition: string }[];
}

const shapes: Shape[] = [
  {
    table: 'point_lot',
    column: 'createdAt',
    partitionedKey: 'PK_5c1e9754c4ef07d185e70b9aa55',
    plainKey: 'PK_452f054ea1c426cfec5001a804a',
    indexes: [
      `CREATE INDEX "IDX_17f57b8b7e010c359f1fadfc44" ON "point_lot" ("creditTransferId")`,
      `CREATE INDEX "IDX_ac68ba058cbd9439810bc5297d" ON "point_lot" ("fundingPartnerId")`,
      `CREATE INDEX "point_lot_open_by_expiry" ON "point_lot" ("memberAccountId", "expiresAt") WHERE "remaining" > 0`,
    ],
    foreignKeys: [
      {
        name: 'FK_17f57b8b7e010c359f1fadfc44c',
        definition: `FOREIGN KEY ("creditTransferId") REFERENCES "ledger_transfer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED`,
      },
      {
        name: 'FK_5c8c2d2933f73b44d08778ac459',
        definition: `FOREIGN KEY ("memberAccountId") REFERENCES "ledger_account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
      },
    ],
  },
  {
    table: 'member_event',
    column: 'occurredAt',
    partitionedKey: 'PK_3bf72d293b206fbab3016a42a1e',
    plainKey: 'PK_b929b5a1abb08732a178abfd822',
    indexes: [
      `CREATE INDEX "member_event_member_time" ON "member_event" ("memberId", "occurredAt")`,
      `CREATE INDEX "member_event_partner_time" ON "member_event" ("partnerId", "occurredAt")`,
      `CREATE INDEX "member_event_time" ON "member_event" ("occurredAt")`,
    ],
    foreignKeys: [],
  },
];

const consumptionLotKey = 'FK_b140911a4d398e323d306b7f2f8';

/**
 * Issue 13 item 5: point_lot by month of "createdAt", member_event by month of "occurredAt", each
 * converted in place (a partitioned copy with every row, then the names swapped), with partitions
 * from the oldest row's month through three months ahead and a default one. A foreign key may not
 * point at a partitioned table's id, so lot_consumption's key to its lot goes: ledger:check
 * reports a consumption whose lot does not exist.
 */
export class MonthlyPartitionsOfLotsAndEvents1796041000000 implements MigrationInterface {
  name = 'MonthlyPartitionsOfLotsAndEvents1796041000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lot_consumption" DROP CONSTRAINT IF EXISTS "${consumptionLotKey}"`);
    for (const shape of shapes) await rebuild(queryRunner, shape, true);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const shape of shapes) await rebuild(queryRunner, shape, false);
    await queryRunner.query(
      `ALTER TABLE "lot_consumption" ADD CONSTRAINT "${consumptionLotKey}" FOREIGN KEY ("lotId") REFERENCES "point_lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }
}

/** Rebuilds `shape.table` partitioned by month (or, going down, as one plain table again) with every row. */
async function rebuild(queryRunner: QueryRunner, shape: Shape, partitioned: boolean): Promise<void> {
  const { table, column } = shape;
  const next = `${table}_rebuilt`;
  const kept: { conname: string }[] = await queryRunner.query(
    `SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'`,
    [table],
  );
  await queryRunner.query(
    `CREATE TABLE "${next}" (LIKE "${table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)${partitioned ? ` PARTITION BY RANGE ("${column}")` : ''}`,
  );
  if (partitioned) {
    const [{ oldest, now }] = await queryRunner.query(`SELECT MIN("${column}") AS oldest, now() AS now FROM "${table}"`);
    for (const month of monthsBetween(oldest ?? now, monthStart(now, monthsAhead))) {
      await queryRunner.query(createPartitionSql(table, month, next));
    }
    await queryRunner.query(`CREATE TABLE "${defaultPartitionName(table)}" PARTITION OF "${next}" DEFAULT`);
  }
  await queryRunner.query(`INSERT INTO "${next}" SELECT * FROM "${table}"`);
  await queryRunner.query(`DROP TABLE "${table}"`);
  await queryRunner.query(`ALTER TABLE "${next}" RENAME TO "${table}"`);
  await queryRunner.query(
    partitioned
      ? `ALTER TABLE "${table}" ADD CONSTRAINT "${shape.partitionedKey}" PRIMARY KEY ("id", "${column}")`
      : `ALTER TABLE "${table}" ADD CONSTRAINT "${shape.plainKey}" PRIMARY KEY ("id")`,
  );
  for (const index of shape.indexes) await queryRunner.query(index);
  for (const key of shape.foreignKeys) {
    if (kept.some((k) => k.conname === key.name)) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${key.name}" ${key.definition}`);
    }
  }
}
