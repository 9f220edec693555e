import type { ActionContext, ActionRequest, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { CareAdjustment } from '../entities/index.js';
import { applyAdjustment, awaitApproval, checkAdjustment, needsApproval } from '../loyalty/care-adjustments.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import type { CareApprovals } from '../workflows/care-approvals.js';
import type { FulfilmentControl } from '../workflows/fulfilment-starter.js';
import { mayRun } from './permissions.js';
import { audit, checked, navigation, readable, staff } from './resources.js';

export interface CareServices {
  ledger: Ledger;
  approvals: CareApprovals;
  /** Starts a booster's window (switch on, announce, switch off, summarise). */
  boosterWindows?: { schedule(window: { boosterId: string; startsAt: string; endsAt: string }): Promise<void> };
  /** Cancels a reward's fulfilment (a signal to its workflow). */
  fulfilment?: Pick<FulfilmentControl, 'cancel'>;
}

const canRun = (action: string) => (context: ActionContext) => {
  const user = staff(context);
  return (
    !!user && mayRun('CareAdjustment', action, user.role) && (action === 'new' || context.record?.params.status === 'awaiting_approval')
  );
};

/**
 * Care adjustments in the back office: an agent asks (points, reason); small ones apply at once,
 * larger ones start the approval workflow, which a supervisor answers with Approve or Reject.
 */
export function careAdjustments(dataSource: DataSource, { ledger, approvals }: CareServices): ResourceWithOptions {
  const { before: auditBefore, after: auditAfter } = audit(dataSource, 'CareAdjustment', 'new');
  const decide = (approved: boolean) => ({
    actionType: 'record' as const,
    component: false as const,
    icon: approved ? 'Check' : 'X',
    variant: approved ? ('success' as const) : ('danger' as const),
    guard: approved ? 'Apply this adjustment to the member?' : 'Reject this adjustment?',
    isAccessible: canRun(approved ? 'approve' : 'reject'),
    handler: async (_request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const record = context.record!;
      await approvals.decide(String(record.params.id), { approved, by: staff(context)!.email });
      return {
        record: record.toJSON(context.currentAdmin),
        notice: { message: approved ? 'Approved: the points are being applied' : 'Rejected', type: 'success' },
        redirectUrl: context.h.resourceUrl({ resourceId: 'CareAdjustment' }),
      };
    },
  });
  return {
    resource: CareAdjustment,
    options: {
      navigation: navigation.members,
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'memberExternalId', 'points', 'reason', 'status', 'requestedBy', 'decidedBy'],
      editProperties: ['memberExternalId', 'points', 'reason'],
      properties: {
        memberExternalId: { description: "The member's external id (find it under Members)" },
        points: { description: 'Positive gives points, negative takes them back' },
        reason: { type: 'textarea' },
      },
      actions: {
        list: { isAccessible: readable('CareAdjustment') },
        search: { isAccessible: readable('CareAdjustment') },
        show: { isAccessible: readable('CareAdjustment') },
        edit: { isAccessible: () => false },
        delete: { isAccessible: () => false },
        bulkDelete: { isAccessible: () => false },
        new: {
          isAccessible: canRun('new'),
          before: [
            checked((values) => checkAdjustment(dataSource.manager, values)),
            async (request, context) => ({
              ...request,
              payload: { ...request.payload, requestedBy: staff(context)!.email, status: 'requested' },
            }),
            auditBefore,
          ],
          after: [
            auditAfter,
            async (response: ActionResponse) => {
              const id = response.record?.params?.id as string | undefined;
              if (!id || (response.record?.errors && Object.keys(response.record.errors).length > 0)) return response;
              const adjustment = await dataSource.manager.findOneByOrFail(CareAdjustment, { id });
              if (await needsApproval(dataSource.manager, adjustment.points)) {
                await awaitApproval(dataSource, id);
                await approvals.start(id);
                return {
                  ...response,
                  notice: { message: 'Waiting for a supervisor: the adjustment is above the threshold', type: 'info' },
                };
              }
              const applied = await applyAdjustment(dataSource, ledger, id, null);
              return applied.status === 'applied'
                ? { ...response, notice: { message: `Applied: ${adjustment.points} points`, type: 'success' } }
                : { ...response, notice: { message: `Not applied: ${applied.outcome}`, type: 'error' } };
            },
          ],
        },
        approve: decide(true),
        reject: decide(false),
      },
    },
  };
}
