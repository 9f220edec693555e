import type { ImageStore } from '../loyalty/receipts/image-store.js';
import {
  ValidationError,
  type ActionContext,
  type ActionRequest,
  type ActionResponse,
  type RecordJSON,
  type ResourceWithOptions,
} from 'adminjs';
import type { DataSource } from 'typeorm';
import { CareAdjustment, careAdjustmentStatuses, type CareAdjustmentStatus } from '../entities/index.js';
import {
  adjustmentEffects,
  checkAdjustment,
  checkDecision,
  mayDecide,
  requestAdjustment,
  type AdjustmentEffect,
} from '../loyalty/care-adjustments.js';
import type { FieldErrors } from '../loyalty/earning/configuration-checks.js';
import { Refusal } from '../loyalty/refusal.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import type { CampaignApprovals } from '../workflows/campaign-approvals.js';
import type { CareApprovals } from '../workflows/care-approvals.js';
import type { FulfilmentControl } from '../workflows/fulfilment-control.js';
import { audited } from './back-office-actions.js';
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
  /** Answers partner campaigns' approval requests (a signal to their process). */
  campaignApprovals?: CampaignApprovals;
  /** Where receipt images are kept: care sees them in the review queue. */
  receiptImages?: ImageStore;
}

const canRun = (action: string) => (context: ActionContext) => {
  const user = staff(context);
  if (!user || !mayRun('CareAdjustment', action, user.role)) return false;
  if (action === 'new') return true;
  // Four eyes: the one who asked never decides.
  return mayDecide({ status: context.record?.params.status, requestedBy: context.record?.params.requestedBy }, user.email);
};

const number = new Intl.NumberFormat('en');

/** Where an adjustment stands, in words. */
export const adjustmentStatusWords: Record<CareAdjustmentStatus, string> = {
  requested: 'being applied',
  awaiting_approval: 'awaiting approval',
  applied: 'applied',
  rejected: 'rejected',
  expired: 'expired',
};

/** The member's name and reference, as care names them. */
export const memberName = (member: { name: string | null; reference: string }) =>
  member.name ? `${member.name} (${member.reference})` : `Member ${member.reference}`;

type Notice = { message: string; type: 'success' | 'info' | 'error' };

/**
 * Asks for a care adjustment as the signed-in staff member, from the care adjustment form or a
 * member's page: what is wrong with it, field by field, or the adjustment (applied at once, waiting
 * for a supervisor, or refused by the ledger) with the notice that says which. Written to the audit log.
 */
export async function askForAdjustment(
  dataSource: DataSource,
  { ledger, processes }: Pick<CareServices, 'ledger' | 'processes'>,
  context: ActionContext,
  values: { memberExternalId: unknown; points: unknown; reason: unknown },
): Promise<{ errors: FieldErrors } | { adjustment: CareAdjustment; notice: Notice }> {
  const errors = await checkAdjustment(dataSource.manager, values);
  if (Object.keys(errors).length > 0) return { errors };
  let adjustment: CareAdjustment;
  try {
    adjustment = await requestAdjustment(dataSource, ledger, {
      memberExternalId: String(values.memberExternalId),
      points: Number(values.points),
      reason: String(values.reason),
      requestedBy: staff(context)!.email,
    });
  } catch (error) {
    // What changed since the check (the member erased meanwhile) is refused in the same words.
    if (error instanceof Refusal) return { errors: { [error.field ?? 'memberExternalId']: error.reason } };
    throw error;
  }
  // Asked from a member's page too: that member's record is not what the adjustment was before.
  await audited(dataSource, context, 'CareAdjustment', 'new', adjustment.id, { ...adjustment }, null);
  // Best effort: the outbox sweep starts the approval (or the member's notice) if this cannot.
  await processes?.dispatchQueued().catch(() => undefined);
  const notice: Notice =
    adjustment.status === 'awaiting_approval'
      ? { message: 'Waiting for a supervisor: the adjustment is above the threshold', type: 'info' }
      : adjustment.status === 'applied'
        ? { message: `Applied: ${adjustment.points} points; the member is emailed the reason`, type: 'success' }
        : { message: `Not applied: ${adjustment.outcome}`, type: 'error' };
  return { adjustment, notice };
}

/** What approving does to the member's balance, in words: the list's short form, or the page's. */
function describeEffect(effect: AdjustmentEffect, form: 'list' | 'show'): string {
  const now = number.format(effect.available);
  if (effect.availableAfter === null) return form === 'list' ? `${now} now` : `${now} points available now`;
  const after = number.format(effect.availableAfter);
  if (form === 'list') return `${now} → ${after}`;
  return effect.availableAfter < 0
    ? `${now} points available now: approving it would take more than they have, and the ledger would refuse it`
    : `${now} points available now; ${after} points available once approved`;
}

/** Adds to each listed adjustment its member, by name, and what it does to their balance. */
async function withMembers(dataSource: DataSource, records: RecordJSON[], form: 'list' | 'show'): Promise<void> {
  const effects = await adjustmentEffects(
    dataSource.manager,
    records.map((r) => ({
      id: String(r.params.id),
      memberExternalId: String(r.params.memberExternalId),
      points: Number(r.params.points),
      status: r.params.status,
    })),
  );
  for (const record of records) {
    const effect = effects.get(String(record.params.id));
    record.params = {
      ...record.params,
      member: effect ? memberName(effect) : `${record.params.memberExternalId} (no such member)`,
      memberId: effect?.memberId ?? null,
      balance: effect ? describeEffect(effect, form) : '',
    };
  }
}

/**
 * Care adjustments in the back office: an agent asks (points, reason); small ones apply at once,
 * larger ones (or an agent's total for a member today above the threshold) wait for another
 * staff member, a supervisor, who answers with Approve or Reject.
 */
export function careAdjustments(
  dataSource: DataSource,
  { ledger, approvals, processes }: CareServices,
  components: { memberLink: string },
): ResourceWithOptions {
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
      // The workflow applies an approved adjustment: the entry records the decision taken here.
      await audited(dataSource, context, 'CareAdjustment', approved ? 'approve' : 'reject', String(record.params.id), {
        status: approved ? 'approved' : 'rejected',
        points: Number(record.params.points),
      });
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
      listProperties: ['createdAt', 'member', 'points', 'balance', 'reason', 'status', 'requestedBy'],
      showProperties: ['member', 'points', 'balance', 'reason', 'status', 'requestedBy', 'decidedBy', 'outcome', 'createdAt'],
      editProperties: ['memberExternalId', 'points', 'reason'],
      properties: {
        memberExternalId: { description: "The member's reference; or use Adjust points on the member's page" },
        member: {
          type: 'string',
          isVisible: { list: true, show: true, edit: false, filter: false },
          components: { list: components.memberLink, show: components.memberLink },
        },
        balance: {
          type: 'string',
          isVisible: { list: true, show: true, edit: false, filter: false },
          description: "The member's available points, and what they will be once the adjustment is approved",
        },
        points: { description: 'Positive gives points, negative takes them back' },
        reason: { type: 'textarea', description: 'The member reads it, in their email and their history' },
        status: { availableValues: careAdjustmentStatuses.map((value) => ({ value, label: adjustmentStatusWords[value] })) },
      },
      actions: {
        list: {
          isAccessible: readable('CareAdjustment'),
          after: async (response: ActionResponse) => {
            await withMembers(dataSource, (response.records as RecordJSON[] | undefined) ?? [], 'list');
            return response;
          },
        },
        search: { isAccessible: readable('CareAdjustment') },
        show: {
          isAccessible: readable('CareAdjustment'),
          after: async (response: ActionResponse) => {
            if (response.record) await withMembers(dataSource, [response.record], 'show');
            return response;
          },
        },
        edit: { isAccessible: () => false },
        delete: { isAccessible: () => false },
        bulkDelete: { isAccessible: () => false },
        new: {
          isAccessible: canRun('new'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            if (request.method !== 'post') return {} as ActionResponse;
            const payload = request.payload ?? {};
            const asked = await askForAdjustment(dataSource, { ledger, processes }, context, {
              memberExternalId: payload.memberExternalId,
              points: payload.points,
              reason: payload.reason,
            });
            if ('errors' in asked) {
              throw new ValidationError(Object.fromEntries(Object.entries(asked.errors).map(([field, message]) => [field, { message }])), {
                message: 'Please correct the highlighted fields',
              });
            }
            const { adjustment, notice } = asked;
            const record = await context.resource.findOne(adjustment.id, context);
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
