import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { AuditEntry, CareAdjustment } from '../entities/index.js';
import { checkAdjustment, checkDecision, mayDecide, requestAdjustment } from '../loyalty/care-adjustments.js';
import { Refusal } from '../loyalty/refusal.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import type { CareApprovals } from '../workflows/care-approvals.js';
import type { FulfilmentControl } from '../workflows/fulfilment-control.js';
import { mayRun } from './permissions.js';
import { navigation, readable, staff } from './resources.js';

export interface CareServices {
  ledger: Ledger;
  approvals: CareApprovals;
  /** Starts a booster's window (switch on, announce, switch off, summarise). */
  boosterWindows?: { schedule(window: { boosterId: string; startsAt: string; endsAt: string }): Promise<void> };
  /** Cancels a reward's fulfilment (a signal to its workflow). */
  fulfilment?: FulfilmentControl;
  /** Starts what an action queued (an approval process) right after its commit; the outbox sweep does it otherwise. */
  processes?: { dispatchQueued(): Promise<number> };
}

const canRun = (action: string) => (context: ActionContext) => {
  const user = staff(context);
  if (!user || !mayRun('CareAdjustment', action, user.role)) return false;
  if (action === 'new') return true;
  // Four eyes: the one who asked never decides.
  return mayDecide({ status: context.record?.params.status, requestedBy: context.record?.params.requestedBy }, user.email);
};

/**
 * Care adjustments in the back office: an agent asks (points, reason); small ones apply at once,
 * larger ones (or an agent's total for a member today above the threshold) wait for another
 * staff member, a supervisor, who answers with Approve or Reject.
 */
export function careAdjustments(dataSource: DataSource, { ledger, approvals, processes }: CareServices): ResourceWithOptions {
  const decide = (approved: boolean) => ({
    actionType: 'record' as const,
    component: false as const,
    icon: approved ? 'Check' : 'X',
    variant: approved ? ('success' as const) : ('danger' as const),
    guard: approved ? 'Apply this adjustment to the member?' : 'Reject this adjustment?',
    isAccessible: canRun(approved ? 'approve' : 'reject'),
    handler: async (_request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const record = context.record!;
      const by = staff(context)!.email;
      try {
        await checkDecision(dataSource, String(record.params.id), by);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        return { record: record.toJSON(context.currentAdmin), notice: { message: error.reason, type: 'error' } };
      }
      await approvals.decide(String(record.params.id), { approved, by });
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
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            if (request.method !== 'post') return {} as ActionResponse;
            const payload = request.payload ?? {};
            const errors = await checkAdjustment(dataSource.manager, payload);
            if (Object.keys(errors).length > 0) {
              throw new ValidationError(Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, { message }])), {
                message: 'Please correct the highlighted fields',
              });
            }
            const user = staff(context)!;
            const adjustment = await requestAdjustment(dataSource, ledger, {
              memberExternalId: String(payload.memberExternalId),
              points: Number(payload.points),
              reason: String(payload.reason),
              requestedBy: user.email,
            });
            await dataSource.manager.insert(AuditEntry, {
              staffUserId: user.id,
              staffEmail: user.email,
              action: 'new',
              resource: 'CareAdjustment',
              recordId: adjustment.id,
              before: null,
              after: { ...adjustment },
            });
            // Best effort: the outbox sweep starts the approval if this cannot.
            await processes?.dispatchQueued().catch(() => undefined);
            const record = await context.resource.findOne(adjustment.id, context);
            const notice =
              adjustment.status === 'awaiting_approval'
                ? { message: 'Waiting for a supervisor: the adjustment is above the threshold', type: 'info' as const }
                : adjustment.status === 'applied'
                  ? { message: `Applied: ${adjustment.points} points`, type: 'success' as const }
                  : { message: `Not applied: ${adjustment.outcome}`, type: 'error' as const };
            return {
              record: record!.toJSON(context.currentAdmin),
              redirectUrl: context.h.resourceUrl({ resourceId: 'CareAdjustment' }),
              notice,
            };
          },
        },
        approve: decide(true),
        reject: decide(false),
      },
    },
  };
}
