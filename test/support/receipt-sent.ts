import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Receipt } from '../../entities/index.js';

/** A receipt `memberId` sent from their dashboard, waiting for its reading (its image is never read). */
export function receiptSent(manager: EntityManager, memberId: string): Promise<Receipt> {
  return manager.save(
    manager.create(Receipt, { memberId, source: 'dashboard', imageKey: `receipts/${randomUUID()}.jpg`, imageType: 'image/jpeg' }),
  );
}
