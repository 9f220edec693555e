import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FulfilmentOrders1795970744634 } from '../entities/migrations/1795970744634-FulfilmentOrders.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

async function migrate(direction: 'up' | 'down') {
  const runner = db.dataSource.createQueryRunner();
  try {
    await new FulfilmentOrders1795970744634()[direction](runner);
  } finally {
    await runner.release();
  }
}

it('moves the orders of existing redemptions to fulfilment orders; what the fake supplier left open goes to the queue', async () => {
  await migrate('down');
  const orderedAt = new Date('2026-10-01T09:00:00Z');
  const redemption = async (status: string, supplierOrderId: string | null) => {
    const id = randomUUID();
    await db.dataSource.query(
      `INSERT INTO redemption (id, "memberId", "rewardId", quantity, points, status, "transferId", "supplierOrderId", "orderedAt", outcome)
       VALUES ($1, $2, $3, 1, 250, $4, $5, $6, $7, $8)`,
      [id, randomUUID(), randomUUID(), status, randomUUID(), supplierOrderId, supplierOrderId ? orderedAt : null, null],
    );
    return id;
  };
  const open = await redemption('ordered', 'fake-open');
  const shipped = await redemption('fulfilled', 'fake-shipped');
  const cancelled = await redemption('cancelled', 'fake-cancelled');
  const waiting = await redemption('awaiting_fulfilment', null);
  const instant = await redemption('completed', null);

  await migrate('up');

  const orders: { redemptionId: string; supplier: string; supplierOrderId: string; state: string; orderedAt: Date }[] =
    await db.dataSource.query(`SELECT "redemptionId", supplier, "supplierOrderId", state, "orderedAt" FROM fulfilment_order`);
  const byRedemption = Object.fromEntries(orders.map((o) => [o.redemptionId, o]));
  expect(Object.keys(byRedemption).sort()).toEqual([open, shipped, cancelled].sort());
  expect(byRedemption[open]).toEqual({ redemptionId: open, supplier: 'manual', supplierOrderId: 'fake-open', state: 'open', orderedAt });
  expect(byRedemption[shipped]).toMatchObject({ supplier: 'fake', state: 'shipped' });
  expect(byRedemption[cancelled]).toMatchObject({ supplier: 'fake', state: 'cancelled' });
  const statuses = await db.dataSource.query(`SELECT id, status FROM redemption WHERE id = ANY($1)`, [[waiting, instant, open]]);
  expect(Object.fromEntries(statuses.map((r: { id: string; status: string }) => [r.id, r.status]))).toEqual({
    [waiting]: 'awaiting_fulfilment',
    [instant]: 'completed',
    [open]: 'ordered',
  });

  // And back: the orders return to their redemptions.
  await migrate('down');
  const [restored] = await db.dataSource.query(`SELECT "supplierOrderId", "orderedAt" FROM redemption WHERE id = $1`, [shipped]);
  expect(restored).toEqual({ supplierOrderId: 'fake-shipped', orderedAt });
  await migrate('up');
});
