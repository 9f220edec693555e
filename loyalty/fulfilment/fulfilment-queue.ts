import type { EntityManager } from 'typeorm';
import type { RedemptionStatus } from '../../entities/index.js';
import { deliveryAddressLine, shippingAddressOf } from '../delivery-address.js';

/** What staff picking an order read: who it goes to, and what; where its redemption stands. */
export interface OrderToPick {
  member: string;
  reward: string;
  /** The delivery address on one line, when the member gave one. */
  shipTo: string | null;
  redemptionStatus: RedemptionStatus;
}

/** The member and the reward of each order, by order id, in words (names, not ids). */
export async function describeOrders(manager: EntityManager, orderIds: string[]): Promise<Map<string, OrderToPick>> {
  if (orderIds.length === 0) return new Map();
  const rows: {
    id: string;
    name: string | null;
    email: string | null;
    externalId: string;
    reward: string;
    quantity: number;
    status: RedemptionStatus;
    shipToName: string | null;
    shipToStreet: string | null;
    shipToPostalCode: string | null;
    shipToCity: string | null;
    shipToCountry: string | null;
  }[] = await manager.query(
    `SELECT o.id, m."displayName" AS name, m.email, m."externalId", w.name AS reward, r.quantity, r.status,
            r."shipToName", r."shipToStreet", r."shipToPostalCode", r."shipToCity", r."shipToCountry"
         FROM fulfilment_order o
         JOIN redemption r ON r.id = o."redemptionId"
         JOIN member m ON m.id = r."memberId"
         JOIN reward w ON w.id = r."rewardId"
        WHERE o.id = ANY($1::uuid[])`,
    [orderIds],
  );
  return new Map(
    rows.map((row) => {
      const address = shippingAddressOf(row);
      const described: OrderToPick = {
        member: [row.name, row.email].filter(Boolean).join(' · ') || row.externalId,
        reward: row.quantity > 1 ? `${row.quantity} × ${row.reward}` : row.reward,
        shipTo: address ? deliveryAddressLine(address) : null,
        redemptionStatus: row.status,
      };
      return [row.id, described];
    }),
  );
}
