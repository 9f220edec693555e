import type { EntityManager } from 'typeorm';
import { LedgerAccount, Member } from '../entities/index.js';
import { programSettings } from './earning/program-settings.js';
import { balanceOf } from './ledger/accounts.js';
import type { Ledger } from './ledger/ledger.js';
import type { TransferRecord } from './ledger/transfer-record.js';
import { memberWithAccount } from './member-identity.js';
import { signInAddress } from './member-sign-in.js';
import { pointsSentToday, TransferRefusedError, transferBetweenMembers } from './member-transfers.js';
import { Refusal } from './refusal.js';
import { maskedAddress } from './spending-authorization.js';

/** Whom a gift goes to, as the giver may see them: their display name, or the address the giver typed, masked. */
export interface GiftRecipient {
  memberId: string;
  label: string;
}

/** The same words whether nobody has the address, or somebody has it without having proved it. */
export class NoGiftRecipientError extends Refusal {
  constructor() {
    super('member_not_found', 'no member can receive points at this address', 'to');
  }
}

/**
 * The member a gift typed to `address` (an email, or a mobile number in international form) goes
 * to: the live member who proved that address. Nothing else about them is told.
 */
export async function giftRecipient(manager: EntityManager, fromMemberId: string, address: string): Promise<GiftRecipient> {
  const destination = signInAddress(address);
  if (!destination) throw new NoGiftRecipientError();
  const column = destination.channel === 'email' ? 'email' : 'phone';
  const recipient = await manager
    .createQueryBuilder(Member, 'm')
    .where(`m.${column} = :address AND m."${column}VerifiedAt" IS NOT NULL AND m."mergedIntoId" IS NULL`, { address: destination.address })
    .getOne();
  if (!recipient) throw new NoGiftRecipientError();
  const { member: giver } = await memberWithAccount(manager, fromMemberId);
  if (recipient.id === giver.id) throw new TransferRefusedError('to', 'this is your own address: a gift goes to another member');
  return { memberId: recipient.id, label: recipient.displayName ?? maskedAddress(destination.address) };
}

/**
 * A member gives points to the member who proved `to`, within the program's limits (see
 * transferBetweenMembers), in the caller's transaction. The same `key` again gives nothing more.
 */
export async function giveToMember(
  manager: EntityManager,
  ledger: Ledger,
  gift: { fromMemberId: string; to: string; points: number; key: string },
): Promise<{ transfer: TransferRecord; replayed: boolean; recipient: GiftRecipient }> {
  const recipient = await giftRecipient(manager, gift.fromMemberId, gift.to);
  const written = await transferBetweenMembers(manager, ledger, {
    fromMemberId: gift.fromMemberId,
    toMemberId: recipient.memberId,
    points: gift.points,
    key: gift.key,
  });
  return { transfer: written.transfers[0]!, replayed: written.replayed, recipient };
}

/** What a member may give now: the program's limits, what they gave today, and their available points. */
export async function giftAllowance(
  manager: EntityManager,
  memberId: string,
): Promise<{ perGift: number; perDay: number; sentToday: number; available: number }> {
  const { account } = await memberWithAccount(manager, memberId);
  const settings = await programSettings(manager);
  return {
    perGift: settings.transferMaxPoints,
    perDay: settings.transferMaxPointsPerDay,
    sentToday: await pointsSentToday(manager, account.id),
    available: (await balanceOf(manager, account.id)).available,
  };
}

/** The gift a member made with a form's `key`: to whom and how many points; null when they made none with it. */
export async function giftSent(
  manager: EntityManager,
  memberId: string,
  key: string,
): Promise<{ points: number; to: string; at: Date } | null> {
  const { member } = await memberWithAccount(manager, memberId);
  const [row]: { amount: string; createdAt: Date; creditAccountId: string }[] = await manager.query(
    `SELECT amount, "createdAt", "creditAccountId" FROM ledger_transfer
      WHERE "idempotencySource" = $1 AND "idempotencyKey" = $2 AND kind = 'transfer' ORDER BY leg LIMIT 1`,
    [`member:${member.id}`, key],
  );
  if (!row) return null;
  const account = await manager.findOneByOrFail(LedgerAccount, { id: row.creditAccountId });
  const recipient = await manager.findOneByOrFail(Member, { id: account.memberId! });
  const address = recipient.email ?? recipient.phone;
  return {
    points: Number(row.amount),
    to: recipient.displayName ?? (address ? maskedAddress(address) : 'another member'),
    at: new Date(row.createdAt),
  };
}
