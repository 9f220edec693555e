import type { DataSource, EntityManager } from 'typeorm';
import { CareAdjustment } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';
import { programSettings } from './earning/program-settings.js';
import { accountByCode, programAccounts } from './ledger/accounts.js';
import { Refusal } from './refusal.js';
import type { Ledger } from './ledger/ledger.js';
import { inTransaction } from './ledger/transaction.js';
import { findMember } from './member-summary.js';

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
      await findMember(manager, externalId);
    } catch {
      errors.memberExternalId = `no member "${externalId}"`;
    }
  }
  return errors;
}

/** Whether an adjustment of this size needs a supervisor. */
export async function needsApproval(manager: EntityManager, points: number): Promise<boolean> {
  return Math.abs(points) > (await programSettings(manager)).careApprovalThreshold;
}

/**
 * Moves the adjustment's points between the program's care account and the member, once: the
 * adjustment id is the ledger key, and only a requested or approved-awaiting adjustment applies.
 * A refusal by the ledger (a member without the points to take back) is recorded, not thrown.
 */
export async function applyAdjustment(
  dataSource: DataSource,
  ledger: Ledger,
  adjustmentId: string,
  decidedBy: string | null,
): Promise<CareAdjustment> {
  return inTransaction(dataSource, async (manager) => {
    const adjustment = await manager.findOneOrFail(CareAdjustment, { where: { id: adjustmentId }, lock: { mode: 'pessimistic_write' } });
    if (adjustment.status !== 'requested' && adjustment.status !== 'awaiting_approval') return adjustment;
    const { account } = await findMember(manager, adjustment.memberExternalId);
    const care = await accountByCode(manager, programAccounts.care);
    const give = adjustment.points > 0;
    try {
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
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      Object.assign(adjustment, { status: 'rejected', decidedBy, outcome: error.message });
    }
    await manager.save(adjustment);
    return adjustment;
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

/** Marks a requested adjustment as waiting for a supervisor. */
export async function awaitApproval(dataSource: DataSource, adjustmentId: string): Promise<void> {
  await dataSource.manager.update(CareAdjustment, { id: adjustmentId, status: 'requested' }, { status: 'awaiting_approval' });
}
