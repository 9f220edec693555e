import type { DataSource, EntityManager } from 'typeorm';
import { Member, pointsUnit, type Campaign, type RuleExplanation, type TransferKind, type TransferReferences } from '../entities/index.js';
import { computeExpiry } from './earning/expiry-policy.js';
import { programConfiguration } from './earning/program-configuration.js';
import { recoverRefundDebts } from './earning/refund-debts.js';
import { PendingTransferResolvedError } from './ledger/errors.js';
import type { Ledger } from './ledger/ledger.js';
import { lockMemberAccounts } from './ledger/member-locks.js';
import { inTransaction } from './ledger/transaction.js';
import { queueProcess } from './outbox.js';

const dayMs = 86_400_000;
const points = new Intl.NumberFormat('en');

/**
 * How many days an event's points stay pending: the longest window among the mechanisms that gave
 * them (a campaign's own, or the program's), so that nothing a customer can still return is spendable.
 */
export function pendingWindowDays(
  programDays: number,
  campaigns: Pick<Campaign, 'mechanismId' | 'pendingDays'>[],
  mechanismIds: string[],
): number {
  const own = new Map(campaigns.filter((c) => c.pendingDays !== null).map((c) => [c.mechanismId, c.pendingDays!]));
  return Math.max(0, ...mechanismIds.map((id) => own.get(id) ?? programDays));
}

/** When points pending for `days` from `occurredAt` become spendable. */
export const pendingUntil = (occurredAt: Date, days: number) => new Date(occurredAt.getTime() + days * dayMs);

/** Points on their way to a member, by the moment they become spendable, soonest first. */
export async function pendingPointsOf(manager: EntityManager, memberAccountId: string): Promise<{ points: number; availableFrom: Date }[]> {
  const found: { until: Date; points: string }[] = await manager.query(
    `SELECT p."heldUntil" AS until, SUM(p.amount) AS points FROM ledger_transfer p
      WHERE p."creditAccountId" = $1 AND p.phase = 'pending'
        AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r."pendingTransferId" = p.id)
      GROUP BY 1 ORDER BY 1`,
    [memberAccountId],
  );
  return found.map((f) => ({ points: Number(f.points), availableFrom: new Date(f.until) }));
}

/** Whether a hold is a pending credit to a member (pending points), which its time limit confirms. */
export async function isPendingCredit(manager: EntityManager, transferId: string): Promise<boolean> {
  const [found] = await manager.query(
    `SELECT 1 FROM ledger_transfer t JOIN ledger_account a ON a.id = t."creditAccountId"
      WHERE t.id = $1 AND t.phase = 'pending' AND a.kind = 'member'`,
    [transferId],
  );
  return found !== undefined;
}

/**
 * Confirms pending points at the end of their window: the hold is posted (not voided: they were
 * earned) and the lot made, expiring by the program's policy counted from the window's end, so the
 * member has the whole period the policy promises to spend them. What refunds left owed is taken
 * from them as from any earn. Idempotent; a refund that cancelled them first wins.
 */
export async function confirmPendingCredit(
  dataSource: DataSource,
  ledger: Ledger,
  pendingTransferId: string,
): Promise<'posted' | 'already_settled'> {
  try {
    return await inTransaction(dataSource, async (manager) => {
      const [pending]: { amount: string; heldUntil: Date; accountId: string; memberId: string; unit: string }[] = await manager.query(
        `SELECT t.amount, t."heldUntil", a.id AS "accountId", a."memberId", a.unit FROM ledger_transfer t
           JOIN ledger_account a ON a.id = t."creditAccountId" WHERE t.id = $1 AND t.phase = 'pending'`,
        [pendingTransferId],
      );
      if (!pending) return 'already_settled';
      await lockMemberAccounts(manager, [pending.accountId]);
      const member = await manager.findOneByOrFail(Member, { id: pending.memberId });
      const { settings } = await programConfiguration(manager);
      // Store credit (cashback in money) never expires; points expire by the program's policy.
      const inPoints = pending.unit === pointsUnit;
      const expiresAt = inPoints ? computeExpiry(settings.expiryPolicy, new Date(pending.heldUntil), member.enrolledAt) : null;
      const posted = await ledger.post(
        { source: 'system:points-confirmation', key: pendingTransferId, pendingTransferId, expiresAt },
        manager,
      );
      if (!posted.replayed && inPoints) {
        await recoverRefundDebts(
          manager,
          ledger,
          { accountId: pending.accountId },
          { id: `confirm:${pendingTransferId}`, earned: Number(pending.amount) },
        );
      }
      return posted.replayed ? 'already_settled' : 'posted';
    });
  } catch (error) {
    if (error instanceof PendingTransferResolvedError) return 'already_settled';
    throw error;
  }
}

/** A pending credit not settled yet, as a refund needs it to cancel all or part of it. */
export interface LivePendingCredit {
  id: string;
  amount: number;
  heldUntil: Date;
  debitAccountId: string;
  creditAccountId: string;
  kind: TransferKind;
  references: TransferReferences;
  explanation: RuleExplanation[];
}

/** Where a credit to a member stands: posted (reversible as `transferId`), still pending, or cancelled. */
export type CreditState = { state: 'posted'; transferId: string } | { state: 'pending'; hold: LivePendingCredit } | { state: 'cancelled' };

/**
 * Follows a credit to a member through its confirmation, or the partial refunds that cancelled it
 * and held the rest anew (`references.replaces`). The caller holds the member's lock.
 */
export async function creditState(manager: EntityManager, transferId: string): Promise<CreditState> {
  const [credit]: (Omit<LivePendingCredit, 'amount'> & {
    amount: string;
    phase: string;
    resolution: string | null;
    resolvedBy: string | null;
  })[] = await manager.query(
    `SELECT t.id, t.amount, t.phase, t."heldUntil", t."debitAccountId", t."creditAccountId", t.kind, t."references", t.explanation,
              r.phase AS resolution, r.id AS "resolvedBy"
         FROM ledger_transfer t LEFT JOIN ledger_transfer r ON r."pendingTransferId" = t.id WHERE t.id = $1`,
    [transferId],
  );
  if (!credit) return { state: 'cancelled' };
  if (credit.phase !== 'pending') return { state: 'posted', transferId };
  if (credit.resolution === 'post') return { state: 'posted', transferId: credit.resolvedBy! };
  if (credit.resolution === null) {
    const { phase: _phase, resolution: _resolution, resolvedBy: _resolvedBy, ...hold } = credit;
    return { state: 'pending', hold: { ...hold, amount: Number(credit.amount), heldUntil: new Date(credit.heldUntil) } };
  }
  const [rest]: { id: string }[] = await manager.query(
    `SELECT id FROM ledger_transfer WHERE phase = 'pending' AND "creditAccountId" = $1 AND "references"->>'replaces' = $2`,
    [credit.creditAccountId, transferId],
  );
  return rest ? creditState(manager, rest.id) : { state: 'cancelled' };
}

/**
 * Cancels `points` of a pending credit (a refund inside the return window): the hold is voided, so
 * the payer gets its points back, and what the refund leaves is held anew until the same date.
 */
export async function cancelPendingPoints(
  manager: EntityManager,
  ledger: Ledger,
  request: { source: string; key: string; hold: LivePendingCredit; points: number; explanation: RuleExplanation },
): Promise<void> {
  const { source, key, hold, points } = request;
  await ledger.void({ source, key: `${key}:void`, pendingTransferId: hold.id }, manager);
  if (points >= hold.amount) return;
  const rest = await ledger.holdCredit(
    {
      source,
      key: `${key}:rest`,
      until: hold.heldUntil,
      legs: [
        {
          debitAccountId: hold.debitAccountId,
          creditAccountId: hold.creditAccountId,
          amount: hold.amount - points,
          kind: hold.kind,
          references: { ...hold.references, replaces: hold.id },
          explanation: [...hold.explanation, request.explanation],
        },
      ],
    },
    manager,
  );
  await queueProcess(manager, 'hold_timeout', rest.transfers[0]!.id, { expiresAt: hold.heldUntil.toISOString() });
}

/** What of an event's points is still pending, and until when; null when none is. */
export async function eventPendingPoints(
  manager: EntityManager,
  event: { id: string; partnerId: string },
): Promise<{ points: number; availableFrom: Date } | null> {
  const credits: { id: string }[] = await manager.query(
    `SELECT id FROM ledger_transfer WHERE "idempotencySource" = $1 AND "idempotencyKey" = $2 AND phase = 'pending'`,
    [`partner:${event.partnerId}`, `event:${event.id}`],
  );
  let points = 0;
  let availableFrom: Date | null = null;
  for (const credit of credits) {
    const state = await creditState(manager, credit.id);
    if (state.state !== 'pending') continue;
    points += state.hold.amount;
    if (!availableFrom || state.hold.heldUntil > availableFrom) availableFrom = state.hold.heldUntil;
  }
  return availableFrom ? { points, availableFrom } : null;
}

/** Pending points in words, for care: how many, and from when they can be spent. */
export function pendingPointsInWords(pending: { points: number; availableFrom: Date }[]): string {
  if (pending.length === 0) return 'No points pending';
  const minute = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return pending
    .map((p) => `${points.format(p.points)} points pending, available from ${minute(p.availableFrom)} unless a refund cancels them`)
    .join('\n');
}
