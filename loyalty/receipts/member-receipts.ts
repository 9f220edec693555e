import { In, type EntityManager } from 'typeorm';
import { Partner, Receipt, type ReceiptStatus } from '../../entities/index.js';
import { programSettings } from '../earning/program-settings.js';
import { formatMoney } from '../money.js';

/** A receipt as its member sees it: what was read, what it paid, or why it was rejected. */
export interface MemberReceipt {
  id: string;
  uploadedAt: Date;
  status: ReceiptStatus;
  store: string | null;
  purchasedOn: string | null;
  /** The total read or corrected, as money in the program's currency (¥980, €18.40). */
  total: string | null;
  points: number | null;
  rejectionReason: string | null;
  /** The store sent this purchase itself afterwards: recorded once, the receipt's points stand. */
  confirmedByStore: boolean;
}

/** The member's latest receipts, newest first. */
export async function memberReceipts(manager: EntityManager, memberId: string, limit = 20): Promise<MemberReceipt[]> {
  const receipts = await manager.find(Receipt, { where: { memberId }, order: { uploadedAt: 'DESC' }, take: limit });
  const partnerIds = [...new Set(receipts.map((r) => r.partnerId).filter((id): id is string => id !== null))];
  const { currency } = await programSettings(manager);
  const partners = new Map((partnerIds.length ? await manager.findBy(Partner, { id: In(partnerIds) }) : []).map((p) => [p.id, p.name]));
  return receipts.map((r) => ({
    id: r.id,
    uploadedAt: r.uploadedAt,
    status: r.status,
    store: (r.partnerId && partners.get(r.partnerId)) ?? null,
    purchasedOn: r.purchasedOn,
    total: r.totalCents === null ? null : formatMoney(r.totalCents, currency),
    points: r.points,
    rejectionReason: r.rejectionReason,
    confirmedByStore: r.confirmedByStoreAt !== null,
  }));
}
