import type { DataSource, EntityManager } from 'typeorm';
import { CareAdjustment, Member, MemberErasure, type CareAdjustmentStatus } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';
import { programSettings } from './earning/program-settings.js';
import { accountByCode, balanceOf, programAccounts } from './ledger/accounts.js';
import type { Ledger } from './ledger/ledger.js';
import { lockMemberAccounts } from './ledger/member-locks.js';
import { inTransaction } from './ledger/transaction.js';
import { findMember, lockLiveMembers, type ResolvedMember } from './member-identity.js';
import { queueCareAdjustmentNotice } from './member-messages.js';
import { personRecords } from './member-records.js';
import { queueProcess } from './outbox.js';
import { Refusal } from './refusal.js';

/** What is wrong with an adjustment request, field by field (before anything is written). */
export async function checkAdjustment(manager: EntityManager, values: Record<string, unknown>): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const points = Number(values.points);
  if (!Number.isSafeInteger(points) || points === 0)
    errors.points = 'must be a whole number of points, positive to give, negative to take back';
  if (typeof values.reason !== 'string' || values.reason.trim().length < 5)
    errors.reason = 'say why, in a few words (at least 5 characters)';
  const externalId = typeof values.memberExternalId === 'string' ? values.memberExternalId.trim() : '';
  if (!externalId) errors.memberExternalId = 'is required';
  else {
    try {
      const { member } = await findMember(manager, externalId);
      if (await manager.existsBy(MemberErasure, { memberId: member.id })) {
        errors.memberExternalId = 'this member was erased: nothing reaches their account any more';
      }
    } catch {
      errors.memberExternalId = `no member "${externalId}"`;
    }
  }
  return errors;
}

export interface AdjustmentRequest {
  memberExternalId: string;
  points: number;
  reason: string;
  /** The staff member asking (their email): never the one who approves. */
  requestedBy: string;
}

const sameStaff = (a: string | null, b: string | null) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Points the agent already moved (or asked to move) for the member today, UTC, either way: the
 * approval threshold holds for their total, so many small adjustments are one large one.
 */
async function agentTotalToday(manager: EntityManager, requestedBy: string, memberExternalId: string): Promise<number> {
  const [row] = await manager.query(
    `SELECT COALESCE(SUM(ABS(points)), 0)::bigint AS total FROM care_adjustment
      WHERE lower("requestedBy") = lower($1) AND "memberExternalId" = $2
        AND status IN ('requested', 'awaiting_approval', 'applied') AND "createdAt" >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
    [requestedBy, memberExternalId],
  );
  return Number(row.total);
}

/**
 * A care agent's adjustment, in one transaction: applied at once while the agent's total for the
 * member today stays within the program's threshold, otherwise waiting for a supervisor (the
 * approval process starts when this commits).
 */
export async function requestAdjustment(dataSource: DataSource, ledger: Ledger, request: AdjustmentRequest): Promise<CareAdjustment> {
  return inTransaction(dataSource, async (manager) => {
    const errors = await checkAdjustment(manager, { ...request });
    const [field, reason] = Object.entries(errors)[0] ?? [];
    if (field) throw new Refusal('adjustment_refused', reason!, field);
    const { account } = await findMember(manager, request.memberExternalId.trim());
    // Concurrent requests for the member count each other against the day's total.
    await lockMemberAccounts(manager, [account.id]);
    const threshold = (await programSettings(manager)).careApprovalThreshold;
    const total = (await agentTotalToday(manager, request.requestedBy, request.memberExternalId.trim())) + Math.abs(request.points);
    const adjustment = manager.create(CareAdjustment, {
      memberExternalId: request.memberExternalId.trim(),
      points: request.points,
      reason: request.reason.trim(),
      requestedBy: request.requestedBy,
      status: total > threshold ? 'awaiting_approval' : 'requested',
    });
    await manager.insert(CareAdjustment, adjustment);
    if (adjustment.status === 'awaiting_approval') {
      await queueProcess(manager, 'care_approval', adjustment.id, {});
      return adjustment;
    }
    return applyWithin(manager, ledger, adjustment, null);
  });
}

/** Whether this staff member may approve or reject the adjustment: never the one who asked for it. */
export function mayDecide(adjustment: Pick<CareAdjustment, 'requestedBy' | 'status'>, by: string): boolean {
  return adjustment.status === 'awaiting_approval' && !sameStaff(adjustment.requestedBy, by);
}

/** Refuses a decision the four-eyes rule forbids, before it reaches the approval process. */
export async function checkDecision(dataSource: DataSource, adjustmentId: string, by: string): Promise<void> {
  const adjustment = await dataSource.manager.findOneByOrFail(CareAdjustment, { id: adjustmentId });
  if (adjustment.status !== 'awaiting_approval')
    throw new Refusal('adjustment_refused', `it is ${adjustment.status.replace('_', ' ')}, not waiting`);
  if (!mayDecide(adjustment, by)) throw new Refusal('not_allowed', 'the staff member who asked for an adjustment cannot decide on it');
}

async function applyWithin(manager: EntityManager, ledger: Ledger, adjustment: CareAdjustment, decidedBy: string | null) {
  const { member } = await findMember(manager, adjustment.memberExternalId);
  const care = await accountByCode(manager, programAccounts.care);
  const give = adjustment.points > 0;
  try {
    // A member erased since the request is refused (recorded on the adjustment like any refusal).
    const [{ account }] = (await lockLiveMembers(manager, [member.id])) as [ResolvedMember];
    const written = await ledger.transfer(
      {
        source: 'care',
        key: adjustment.id,
        legs: [
          {
            debitAccountId: give ? care.id : account.id,
            creditAccountId: give ? account.id : care.id,
            amount: Math.abs(adjustment.points),
            kind: 'adjust',
            references: { adjustment: adjustment.id, agent: adjustment.requestedBy, ...(decidedBy ? { approvedBy: decidedBy } : {}) },
            explanation: [{ rule: 'care adjustment', points: adjustment.points, reason: adjustment.reason }],
          },
        ],
      },
      manager,
    );
    Object.assign(adjustment, { status: 'applied', decidedBy, transferId: written.transfers[0]!.id, outcome: null });
    await queueCareAdjustmentNotice(manager, { id: adjustment.id, memberId: account.memberId! });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    Object.assign(adjustment, { status: 'rejected', decidedBy, outcome: error.message });
  }
  await manager.save(adjustment);
  return adjustment;
}

/** What an approval did: applied, refused by the ledger (recorded), or not the approver's to give. */
export type ApprovalOutcome = 'applied' | 'rejected' | 'not_allowed' | 'already_decided';

/**
 * A supervisor approved: the points move once (the adjustment id is the ledger key). The one who
 * asked for the adjustment cannot approve it; a ledger refusal (points to take back already
 * spent) is recorded on the adjustment, not thrown.
 */
export async function approveAdjustment(
  dataSource: DataSource,
  ledger: Ledger,
  adjustmentId: string,
  approvedBy: string,
): Promise<ApprovalOutcome> {
  return inTransaction(dataSource, async (manager) => {
    const adjustment = await manager.findOneOrFail(CareAdjustment, { where: { id: adjustmentId }, lock: { mode: 'pessimistic_write' } });
    if (adjustment.status !== 'awaiting_approval') return 'already_decided';
    if (!mayDecide(adjustment, approvedBy)) return 'not_allowed';
    const applied = await applyWithin(manager, ledger, adjustment, approvedBy);
    return applied.status === 'applied' ? 'applied' : 'rejected';
  });
}

/** Closes an adjustment that waited for approval without applying it. */
export async function closeAdjustment(
  dataSource: DataSource,
  adjustmentId: string,
  status: 'rejected' | 'expired',
  decidedBy: string | null,
  outcome: string,
): Promise<void> {
  await dataSource.manager.update(CareAdjustment, { id: adjustmentId, status: 'awaiting_approval' }, { status, decidedBy, outcome });
}

/** What an applied adjustment gave or took, and why: what the member is told. Null unless it was applied. */
export async function appliedAdjustment(manager: EntityManager, adjustmentId: string): Promise<{ points: number; reason: string } | null> {
  const adjustment = await manager.findOneBy(CareAdjustment, { id: adjustmentId, status: 'applied' });
  return adjustment && { points: Number(adjustment.points), reason: adjustment.reason };
}

/** How much an agent may still adjust a member's balance today (either way) before a supervisor must approve. */
export async function adjustmentAllowance(
  manager: EntityManager,
  requestedBy: string,
  memberExternalId: string,
): Promise<{ threshold: number; usedToday: number; left: number }> {
  const threshold = (await programSettings(manager)).careApprovalThreshold;
  const usedToday = await agentTotalToday(manager, requestedBy, memberExternalId);
  return { threshold, usedToday, left: Math.max(0, threshold - usedToday) };
}

/** A member's care adjustment, as their page lists it. */
export interface MemberAdjustment {
  id: string;
  createdAt: Date;
  points: number;
  reason: string;
  status: CareAdjustmentStatus;
  requestedBy: string;
  decidedBy: string | null;
  outcome: string | null;
}

/** The care adjustments of the person `memberId` stands for (and of the accounts merged into theirs), newest first. */
export async function adjustmentsOf(manager: EntityManager, memberId: string, limit = 50): Promise<MemberAdjustment[]> {
  const person = await personRecords(manager, memberId);
  const references = [person.member.externalId, ...person.former.map((f) => f.member.externalId)];
  const rows: (Omit<MemberAdjustment, 'points'> & { points: string | number })[] = await manager.query(
    `SELECT id, "createdAt", points, reason, status, "requestedBy", "decidedBy", outcome FROM care_adjustment
      WHERE "memberExternalId" = ANY($1::text[]) ORDER BY "createdAt" DESC, id LIMIT $2`,
    [references, limit],
  );
  return rows.map((r) => ({ ...r, points: Number(r.points) }));
}

/** Whom an adjustment is for, and what it does to their balance: what a supervisor weighs before approving. */
export interface AdjustmentEffect {
  memberId: string;
  name: string | null;
  reference: string;
  /** Their available points now. */
  available: number;
  /** Their available points once it is applied; null once it was decided. */
  availableAfter: number | null;
}

/** The effect of each adjustment on its member's balance, by adjustment id (none for a member that no longer exists). */
export async function adjustmentEffects(
  manager: EntityManager,
  adjustments: Pick<CareAdjustment, 'id' | 'memberExternalId' | 'points' | 'status'>[],
): Promise<Map<string, AdjustmentEffect>> {
  const effects = new Map<string, AdjustmentEffect>();
  const members = new Map<string, ResolvedMember | null>();
  for (const adjustment of adjustments) {
    if (!members.has(adjustment.memberExternalId)) {
      const known = await manager.existsBy(Member, { externalId: adjustment.memberExternalId });
      members.set(adjustment.memberExternalId, known ? await findMember(manager, adjustment.memberExternalId) : null);
    }
    const resolved = members.get(adjustment.memberExternalId);
    if (!resolved) continue;
    const { available } = await balanceOf(manager, resolved.account.id);
    effects.set(adjustment.id, {
      memberId: resolved.member.id,
      name: resolved.member.displayName,
      reference: resolved.member.externalId,
      available,
      availableAfter: adjustment.status === 'awaiting_approval' ? available + Number(adjustment.points) : null,
    });
  }
  return effects;
}
