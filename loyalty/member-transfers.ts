import type { EntityManager } from 'typeorm';
import { programSettings } from './earning/program-settings.js';
import { refuseShortfall } from './ledger/errors.js';
import { Refusal } from './refusal.js';
import type { Ledger } from './ledger/ledger.js';
import type { LedgerResult } from './ledger/transfer-record.js';
import { writtenUnder } from './ledger-replays.js';
import { lockLiveMembers, type ResolvedMember } from './member-identity.js';

export class TransferRefusedError extends Refusal {
  constructor(field: string, reason: string) {
    super('transfer_refused', reason, field);
  }
}

/**
 * One member gives points to another, within the program's limits (per transfer and per day).
 * The points keep their funder and expiry.
 */
export async function transferBetweenMembers(
  manager: EntityManager,
  ledger: Ledger,
  request: { fromMemberId: string; toMemberId: string; points: number; key: string; partnerId?: string },
): Promise<LedgerResult> {
  // Both members, in the ledger's order: concurrent transfers count each other against the day's
  // limit, and opposite transfers (A to B, B to A) never wait on each other crosswise.
  const [from, to] = (await lockLiveMembers(manager, [request.fromMemberId, request.toMemberId])) as [ResolvedMember, ResolvedMember];
  if (from.member.id === to.member.id) throw new TransferRefusedError('to', 'must be another member');
  const settings = await programSettings(manager);
  if (request.points > settings.transferMaxPoints) {
    throw new TransferRefusedError('points', `at most ${settings.transferMaxPoints} points per transfer`);
  }
  const source = `member:${from.member.id}`;
  // The same request again (a form sent twice) is the first transfer, whatever was sent since.
  if (!(await writtenUnder(manager, source, request.key))) {
    const today = await pointsSentToday(manager, from.account.id);
    if (today + request.points > settings.transferMaxPointsPerDay) {
      throw new TransferRefusedError('points', `at most ${settings.transferMaxPointsPerDay} points a day; ${today} already sent today`);
    }
  }
  return refuseShortfall(
    from.account.id,
    () =>
      ledger.transfer(
        {
          source,
          key: request.key,
          legs: [
            {
              debitAccountId: from.account.id,
              creditAccountId: to.account.id,
              amount: request.points,
              kind: 'transfer',
              references: {
                from: from.member.externalId,
                to: to.member.externalId,
                ...(request.partnerId ? { partner: request.partnerId } : {}),
              },
            },
          ],
        },
        manager,
      ),
    'points',
    (short) => `the member has ${short.available} points available, ${short.requested} requested`,
  );
}

/** The points a member's account gave to other members today (UTC): what the daily limit counts. */
export async function pointsSentToday(manager: EntityManager, accountId: string): Promise<number> {
  const [{ sent }] = await manager.query(
    `SELECT COALESCE(SUM(amount), 0) AS sent FROM ledger_transfer
      WHERE "debitAccountId" = $1 AND kind = 'transfer' AND "createdAt" >= date_trunc('day', now())`,
    [accountId],
  );
  return Number(sent);
}
