import type { EntityManager } from 'typeorm';

/** Quantities of a purchase refunded so far, by line reference. */
export async function refundedSoFar(manager: EntityManager, eventId: string): Promise<Map<string, number>> {
  const rows: { reference: string; quantity: string }[] = await manager.query(
    `SELECT l->>'reference' AS reference, SUM((l->>'quantity')::bigint) AS quantity
       FROM event_refund r, jsonb_array_elements(r.lines) l WHERE r."eventId" = $1 GROUP BY 1`,
    [eventId],
  );
  return new Map(rows.map((r) => [r.reference, Number(r.quantity)]));
}
