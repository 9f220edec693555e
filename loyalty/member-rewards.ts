import type { EntityManager } from 'typeorm';
import type { FulfilmentOrderState, RedemptionStatus } from '../entities/index.js';
import { shippingAddressOf, type DeliveryAddress } from './delivery-address.js';
import { memberWithAccount } from './member-identity.js';

/**
 * Where a member's reward stands, in their terms: a code to use, waiting for the order, ordered,
 * shipped, cancelled (points back), or waiting for customer care.
 */
export type RedemptionStage = 'code' | 'awaiting_fulfilment' | 'ordered' | 'shipped' | 'cancelled' | 'needs_care';

/** A reward the member redeemed. */
export interface MemberRedemption {
  id: string;
  at: Date;
  reward: string;
  imageUrl: string | null;
  quantity: number;
  points: number;
  stage: RedemptionStage;
  /** The code of an instant reward. */
  code: string | null;
  /** Why it was cancelled, in words the member reads. */
  outcome: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  shipTo: DeliveryAddress | null;
}

interface Row {
  id: string;
  createdAt: Date;
  reward: string;
  imageUrl: string | null;
  quantity: number;
  points: string;
  status: RedemptionStatus;
  code: string | null;
  outcome: string | null;
  orderState: FulfilmentOrderState | null;
  carrier: string | null;
  trackingNumber: string | null;
  shipToName: string | null;
  shipToStreet: string | null;
  shipToPostalCode: string | null;
  shipToCity: string | null;
  shipToCountry: string | null;
}

function stageOf(status: RedemptionStatus, orderState: FulfilmentOrderState | null): RedemptionStage {
  switch (status) {
    case 'completed':
      return 'code';
    case 'fulfilled':
      return 'shipped';
    case 'cancelled':
    case 'needs_care':
      return status;
    case 'awaiting_fulfilment':
    case 'ordered':
      // A shipment reported is the member's news at once, before the fulfilment settles the points.
      return orderState === 'shipped' ? 'shipped' : status;
  }
}

/** The member's own redemptions, newest first; `id` narrows them to one. */
async function redemptionsOf(manager: EntityManager, memberId: string, id?: string): Promise<MemberRedemption[]> {
  const { member } = await memberWithAccount(manager, memberId);
  const rows: Row[] = await manager.query(
    `SELECT r.id, r."createdAt", w.name AS reward, w."imageUrl", r.quantity, r.points, r.status, r.code, r.outcome,
            o.state AS "orderState", o.carrier, o."trackingNumber",
            r."shipToName", r."shipToStreet", r."shipToPostalCode", r."shipToCity", r."shipToCountry"
       FROM redemption r
       JOIN reward w ON w.id = r."rewardId"
       LEFT JOIN fulfilment_order o ON o."redemptionId" = r.id
      WHERE r."memberId" = $1 AND ($2::uuid IS NULL OR r.id = $2)
      ORDER BY r."createdAt" DESC, r.id`,
    [member.id, id ?? null],
  );
  return rows.map((row) => ({
    id: row.id,
    at: new Date(row.createdAt),
    reward: row.reward,
    imageUrl: row.imageUrl,
    quantity: row.quantity,
    points: Number(row.points),
    stage: stageOf(row.status, row.orderState),
    code: row.code,
    outcome: row.outcome,
    carrier: row.orderState === 'shipped' ? row.carrier : null,
    trackingNumber: row.orderState === 'shipped' ? row.trackingNumber : null,
    shipTo: shippingAddressOf(row),
  }));
}

/** Every reward the member redeemed, newest first. */
export function memberRedemptions(manager: EntityManager, memberId: string): Promise<MemberRedemption[]> {
  return redemptionsOf(manager, memberId);
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One of the member's redemptions; null for any other (someone else's, or none). */
export async function memberRedemption(manager: EntityManager, memberId: string, redemptionId: string): Promise<MemberRedemption | null> {
  if (!uuid.test(redemptionId)) return null;
  const [found] = await redemptionsOf(manager, memberId, redemptionId);
  return found ?? null;
}
