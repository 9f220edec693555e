import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ledger_transfer partitioned by month of "createdAt" (issue 13, item 5): monthly range partitions
 * `ledger_transfer_pYYYYMM` in UTC from the oldest transfer's month through three months ahead, and
 * `ledger_transfer_pdefault` so that no write is refused for a missing month.
 *
 * A partitioned table's unique indexes must hold the partition column, so the uniquenesses that
 * did not are kept elsewhere: the idempotency key (source, key, leg) in ledger_idempotency, one
 * resolution per hold in ledger_hold_resolution (both filled from the existing transfers), seq by
 * its sequence alone (a plain index now). The foreign keys from point_lot and lot_consumption to
 * ledger_transfer cannot point at a partitioned table's id: ledger:check reports dangling links
 * instead (loyalty/ledger/invariants.ts). The rows are copied, so every transfer keeps its id,
 * seq and time.
 */
/** The indexes that stay as they were (partitioned ones on the partitioned table). */
const unchangedIndexes = [
  `CREATE INDEX "IDX_66368a3b2afb5f05cfc8513162" ON ledger_transfer ("debitAccountId")`,
  `CREATE INDEX "IDX_6af37b87fa94a628c83543aaec" ON ledger_transfer ("creditAccountId")`,
  `CREATE INDEX "IDX_be84183601b4083094a4452aa6" ON ledger_transfer ("reversesTransferId") WHERE "reversesTransferId" IS NOT NULL`,
];

const partitionEveryMonth = `
DO $do$
DECLARE
  first_month timestamptz := date_trunc('month', COALESCE((SELECT min("createdAt") FROM ledger_transfer_unpartitioned), now()), 'UTC');
  last_month timestamptz := date_trunc('month', now() + interval '3 months', 'UTC');
  month timestamptz;
BEGIN
  month := first_month;
  WHILE month <= last_month LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF ledger_transfer FOR VALUES FROM (%L) TO (%L)',
                   'ledger_transfer_p' || to_char(month AT TIME ZONE 'UTC', 'YYYYMM'), month, month + interval '1 month');
    month := month + interval '1 month';
  END LOOP;
END
$do$`;

export class PartitionedLedgerTransfers1796040000000 implements MigrationInterface {
  name = 'PartitionedLedgerTransfers1796040000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE point_lot DROP CONSTRAINT "FK_17f57b8b7e010c359f1fadfc44c"`);
    await queryRunner.query(`ALTER TABLE lot_consumption DROP CONSTRAINT "FK_7f62c653e6d94893b63898ff82f"`);
    await queryRunner.query(`
      CREATE TABLE ledger_idempotency (
        source text NOT NULL, key text NOT NULL, leg integer NOT NULL, "transferId" uuid NOT NULL,
        "requestHash" text NOT NULL, "createdAt" timestamptz NOT NULL,
        CONSTRAINT "PK_6be9438edc61273538992706553" PRIMARY KEY (source, key, leg))`);
    await queryRunner.query(`
      CREATE TABLE ledger_hold_resolution (
        "pendingTransferId" uuid NOT NULL, "transferId" uuid NOT NULL, "createdAt" timestamptz NOT NULL,
        CONSTRAINT "PK_f66abc9d9bcc7c5b3c736b44bfc" PRIMARY KEY ("pendingTransferId"))`);
    await queryRunner.query(`
      INSERT INTO ledger_idempotency (source, key, leg, "transferId", "requestHash", "createdAt")
      SELECT "idempotencySource", "idempotencyKey", leg, id, "requestHash", "createdAt" FROM ledger_transfer`);
    await queryRunner.query(`
      INSERT INTO ledger_hold_resolution ("pendingTransferId", "transferId", "createdAt")
      SELECT "pendingTransferId", id, "createdAt" FROM ledger_transfer WHERE "pendingTransferId" IS NOT NULL`);

    await queryRunner.query(`ALTER TABLE ledger_transfer RENAME TO ledger_transfer_unpartitioned`);
    await queryRunner.query(`ALTER SEQUENCE ledger_transfer_seq_seq OWNED BY NONE`);
    await queryRunner.query(`
      CREATE TABLE ledger_transfer (LIKE ledger_transfer_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
      PARTITION BY RANGE ("createdAt")`);
    await queryRunner.query(partitionEveryMonth);
    await queryRunner.query(`CREATE TABLE ledger_transfer_pdefault PARTITION OF ledger_transfer DEFAULT`);
    await queryRunner.query(`INSERT INTO ledger_transfer SELECT * FROM ledger_transfer_unpartitioned`);
    await queryRunner.query(`DROP TABLE ledger_transfer_unpartitioned`);
    await queryRunner.query(`ALTER SEQUENCE ledger_transfer_seq_seq OWNED BY ledger_transfer.seq`);

    await queryRunner.query(`ALTER TABLE ledger_transfer ADD CONSTRAINT "PK_2b3f4989f73c1181b1a0a75ed70" PRIMARY KEY (id, "createdAt")`);
    await queryRunner.query(`CREATE INDEX "IDX_8e1045ff443f2141917a8847dc" ON ledger_transfer (seq)`);
    await queryRunner.query(
      `CREATE INDEX "IDX_ab026f7ff0614e55709a078595" ON ledger_transfer ("pendingTransferId") WHERE "pendingTransferId" IS NOT NULL`,
    );
    // The key's old unique index, kept plain: code that reads a request's transfers by key still finds them through it.
    await queryRunner.query(
      `CREATE INDEX ledger_transfer_by_idempotency_key ON ledger_transfer ("idempotencySource", "idempotencyKey", leg)`,
    );
    for (const index of unchangedIndexes) await queryRunner.query(index);
    await queryRunner.query(`ANALYZE ledger_transfer`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE ledger_transfer_flat (LIKE ledger_transfer INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await queryRunner.query(`INSERT INTO ledger_transfer_flat SELECT * FROM ledger_transfer`);
    await queryRunner.query(`ALTER SEQUENCE ledger_transfer_seq_seq OWNED BY NONE`);
    await queryRunner.query(`DROP TABLE ledger_transfer`);
    await queryRunner.query(`ALTER TABLE ledger_transfer_flat RENAME TO ledger_transfer`);
    await queryRunner.query(`ALTER SEQUENCE ledger_transfer_seq_seq OWNED BY ledger_transfer.seq`);
    await queryRunner.query(`ALTER TABLE ledger_transfer ADD CONSTRAINT "PK_b9171ac2389eeaef6fb308b273d" PRIMARY KEY (id)`);
    await queryRunner.query(
      `ALTER TABLE ledger_transfer ADD CONSTRAINT ledger_transfer_idempotency UNIQUE ("idempotencySource", "idempotencyKey", leg)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_8e1045ff443f2141917a8847dc" ON ledger_transfer (seq)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_ab026f7ff0614e55709a078595" ON ledger_transfer ("pendingTransferId") WHERE "pendingTransferId" IS NOT NULL`,
    );
    for (const index of unchangedIndexes) await queryRunner.query(index);
    await queryRunner.query(`DROP TABLE ledger_hold_resolution`);
    await queryRunner.query(`DROP TABLE ledger_idempotency`);
    await queryRunner.query(`
      ALTER TABLE lot_consumption ADD CONSTRAINT "FK_7f62c653e6d94893b63898ff82f" FOREIGN KEY ("transferId")
      REFERENCES ledger_transfer(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED`);
    await queryRunner.query(`
      ALTER TABLE point_lot ADD CONSTRAINT "FK_17f57b8b7e010c359f1fadfc44c" FOREIGN KEY ("creditTransferId")
      REFERENCES ledger_transfer(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED`);
  }
}
