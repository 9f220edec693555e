import { MigrationInterface, QueryRunner } from 'typeorm';

/** An order is recorded (`placing`, no supplier id yet) before the supplier is asked. */
export class OrdersRecordedBeforePlacing1795974728792 implements MigrationInterface {
  name = 'OrdersRecordedBeforePlacing1795974728792';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "fulfilment_order" ALTER COLUMN "supplierOrderId" DROP NOT NULL`);
    await queryRunner.query(`DROP INDEX "public"."fulfilment_order_open"`);
    await queryRunner.query(
      `CREATE INDEX "fulfilment_order_open" ON "fulfilment_order" ("supplier", "orderedAt") WHERE state IN ('placing', 'open')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."fulfilment_order_open"`);
    await queryRunner.query(`CREATE INDEX "fulfilment_order_open" ON "fulfilment_order" ("supplier", "orderedAt") WHERE state = 'open'`);
    // Orders whose supplier never answered keep their reference as the only id known.
    await queryRunner.query(
      `UPDATE "fulfilment_order" SET "supplierOrderId" = "redemptionId"::text, state = 'open' WHERE "supplierOrderId" IS NULL`,
    );
    await queryRunner.query(`ALTER TABLE "fulfilment_order" ALTER COLUMN "supplierOrderId" SET NOT NULL`);
  }
}
