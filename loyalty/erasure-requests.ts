import type { DataSource, EntityManager } from 'typeorm';
import { ErasureRequest, MemberErasure } from '../entities/index.js';
import type { Ledger } from './ledger/ledger.js';
import { inTransaction } from './ledger/transaction.js';
import { eraseMember, ErasureRefusedError, refuseCompanyAccount } from './member-erasure.js';
import { personRecords } from './member-records.js';
import { Refusal } from './refusal.js';

const sameStaff = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Whether this staff member may approve or reject the request: a waiting one, and never the one who took it. */
export function mayDecideErasure(request: Pick<ErasureRequest, 'status' | 'requestedBy'>, by: string): boolean {
  return request.status === 'awaiting_approval' && !sameStaff(request.requestedBy, by);
}

/** Where a member stands: erased (and how), or an erasure waiting for approval, or neither. */
export async function privacyStatus(
  manager: EntityManager,
  memberId: string,
): Promise<{ erasure: MemberErasure | null; waiting: ErasureRequest | null }> {
  const { member } = await personRecords(manager, memberId);
  return {
    erasure: await manager.findOneBy(MemberErasure, { memberId: member.id }),
    waiting: await manager.findOneBy(ErasureRequest, { memberId: member.id, status: 'awaiting_approval' }),
  };
}

/**
 * Care records a member's request to be erased that came by mail (or any way but their dashboard),
 * with how it came: it waits for another staff member's approval. Refused for a member already
 * erased or with a request waiting.
 */
export async function requestErasure(
  manager: EntityManager,
  request: { memberId: string; reason: string; requestedBy: string },
): Promise<ErasureRequest> {
  const reason = typeof request.reason === 'string' ? request.reason.trim() : '';
  if (reason.length < 5) throw new ErasureRefusedError('say how the member asked, and when (at least 5 characters)', 'reason');
  const { member } = await personRecords(manager, request.memberId);
  await refuseCompanyAccount(manager, member.id);
  const { erasure, waiting } = await privacyStatus(manager, member.id);
  if (erasure) throw new ErasureRefusedError(`this member was already erased on ${erasure.erasedAt.toISOString().slice(0, 10)}`);
  if (waiting) throw new ErasureRefusedError(`an erasure asked for by ${waiting.requestedBy} is already waiting for approval`);
  const inserted = await manager
    .createQueryBuilder()
    .insert()
    .into(ErasureRequest)
    .values({ memberId: member.id, reason, requestedBy: request.requestedBy })
    .orIgnore()
    .returning('id')
    .execute();
  // Two staff members recording the same request at once: the second finds the first waiting.
  if (inserted.raw.length === 0) throw new ErasureRefusedError('an erasure is already waiting for approval for this member');
  return manager.findOneByOrFail(ErasureRequest, { id: inserted.raw[0].id });
}

/**
 * Another staff member approves a waiting request: the member is erased, in the same transaction
 * as the decision. A refusal (points held, the approver asked for it, already decided) writes
 * nothing and leaves the request waiting.
 */
export async function approveErasure(
  dataSource: DataSource,
  ledger: Ledger,
  decision: { requestId: string; approvedBy: string },
): Promise<MemberErasure> {
  return inTransaction(dataSource, async (manager) => {
    const request = await waitingRequest(manager, decision.requestId, decision.approvedBy);
    const { erasure } = await eraseMember(manager, ledger, {
      memberId: request.memberId,
      requestedBy: request.requestedBy,
      approvedBy: decision.approvedBy,
      reason: request.reason,
    });
    await manager.update(
      ErasureRequest,
      { id: request.id },
      { status: 'erased', decidedBy: decision.approvedBy, decidedAt: new Date(), erasureId: erasure.id },
    );
    return erasure;
  });
}

/** Another staff member rejects a waiting request (it was not the member's, say): nothing is erased. */
export async function rejectErasure(manager: EntityManager, decision: { requestId: string; rejectedBy: string }): Promise<ErasureRequest> {
  const request = await waitingRequest(manager, decision.requestId, decision.rejectedBy);
  await manager.update(ErasureRequest, { id: request.id }, { status: 'rejected', decidedBy: decision.rejectedBy, decidedAt: new Date() });
  return manager.findOneByOrFail(ErasureRequest, { id: request.id });
}

async function waitingRequest(manager: EntityManager, requestId: string, by: string): Promise<ErasureRequest> {
  const request = await manager.findOne(ErasureRequest, {
    where: { id: requestId },
    ...(manager.queryRunner?.isTransactionActive ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
  if (!request) throw new ErasureRefusedError('no such erasure request', 'requestId');
  if (request.status !== 'awaiting_approval') throw new ErasureRefusedError(`this request was already decided: ${request.status}`);
  if (!mayDecideErasure(request, by)) throw new Refusal('not_allowed', 'the staff member who took an erasure request cannot decide on it');
  return request;
}
