import type { ActionContext, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { ErasureRequest, erasureRequestStatuses, type ErasureForfeiture, type ErasureRequestStatus } from '../entities/index.js';
import { approveErasure, mayDecideErasure, rejectErasure } from '../loyalty/erasure-requests.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { Refusal } from '../loyalty/refusal.js';
import { allowed, audited } from './back-office-actions.js';
import { navigation, readable, staff } from './resources.js';

const statusLabels: Record<ErasureRequestStatus, string> = {
  awaiting_approval: 'waiting for approval',
  erased: 'erased',
  rejected: 'rejected',
};

const number = new Intl.NumberFormat('en');

/** Where an erasure's points went, in words. */
export const forfeitedWhere: Record<ErasureForfeiture, string> = {
  breakage: 'to breakage, each lot attributed to the partner who funded it',
  funders: 'back to the wallets of the partners who funded them',
};

/**
 * Members' requests to be erased that care took (by mail, by phone): a supervisor, never the staff
 * member who took one, approves it (the member is erased there and then) or rejects it.
 */
export function erasureRequests(dataSource: DataSource, ledger: Ledger): ResourceWithOptions {
  const decide = (approved: boolean) => {
    const action = approved ? 'approve' : 'reject';
    return {
      actionType: 'record' as const,
      component: false as const,
      icon: approved ? 'Check' : 'X',
      variant: approved ? ('danger' as const) : ('default' as const),
      guard: approved
        ? "Erase this member's personal data now? Their email, phone, name and profile are erased everywhere, the stores that know them can no longer recognise them, and the points they have left are forfeited to breakage. It cannot be undone."
        : 'Reject this request? Nothing is erased.',
      // Four eyes: the one who took the request never decides on it.
      isAccessible: allowed('ErasureRequest', action, (context: ActionContext) =>
        mayDecideErasure(
          { status: context.record?.params.status, requestedBy: String(context.record?.params.requestedBy ?? '') },
          staff(context)!.email,
        ),
      ),
      handler: async (_request: unknown, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
        const record = context.record!.toJSON(context.currentAdmin);
        const id = String(record.params.id);
        const by = staff(context)!.email;
        try {
          if (!approved) {
            await rejectErasure(dataSource.manager, { requestId: id, rejectedBy: by });
            await audited(dataSource, context, 'ErasureRequest', action, id, { status: 'rejected' });
            return {
              record,
              redirectUrl: context.h.resourceUrl({ resourceId: 'ErasureRequest' }),
              notice: { message: 'Rejected: nothing was erased', type: 'success' },
            };
          }
          const erasure = await approveErasure(dataSource, ledger, { requestId: id, approvedBy: by });
          await audited(dataSource, context, 'ErasureRequest', action, id, {
            erasure: erasure.id,
            pointsForfeited: erasure.pointsForfeited,
          });
          return {
            record,
            redirectUrl: context.h.recordActionUrl({ resourceId: 'Member', recordId: String(record.params.memberId), actionName: 'show' }),
            notice: {
              message: `Erased: ${number.format(erasure.pointsForfeited)} points forfeited ${forfeitedWhere[erasure.forfeitedTo]}`,
              type: 'success',
            },
          };
        } catch (error) {
          if (!(error instanceof Refusal)) throw error;
          return { record, notice: { message: `Not erased: ${error.reason}`, type: 'error' } };
        }
      },
    };
  };
  return {
    resource: ErasureRequest,
    options: {
      navigation: navigation.members,
      sort: { sortBy: 'requestedAt', direction: 'desc' },
      listProperties: ['requestedAt', 'memberId', 'reason', 'status', 'requestedBy', 'decidedBy'],
      showProperties: ['requestedAt', 'memberId', 'reason', 'status', 'requestedBy', 'decidedBy', 'decidedAt'],
      filterProperties: ['status', 'requestedAt', 'requestedBy', 'decidedBy'],
      properties: {
        memberId: { type: 'reference', reference: 'Member' },
        reason: { type: 'textarea' },
        status: { availableValues: erasureRequestStatuses.map((value) => ({ value, label: statusLabels[value] })) },
      },
      actions: {
        list: { isAccessible: readable('ErasureRequest') },
        search: { isAccessible: readable('ErasureRequest') },
        show: { isAccessible: readable('ErasureRequest') },
        new: { isAccessible: () => false },
        edit: { isAccessible: () => false },
        delete: { isAccessible: () => false },
        bulkDelete: { isAccessible: () => false },
        approve: decide(true),
        reject: decide(false),
      },
    },
  };
}
