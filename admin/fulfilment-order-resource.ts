import type { ActionContext, ActionRequest, ActionResponse, RecordJSON, ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { FulfilmentOrder, fulfilmentOrderStates } from '../entities/index.js';
import { describeOrders } from '../loyalty/fulfilment/fulfilment-queue.js';
import { checkShipmentReport, recordShipmentReport, type RecordedReport } from '../loyalty/fulfilment/shipment-reports.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { Refusal } from '../loyalty/refusal.js';
import type { FulfilmentControl } from '../workflows/fulfilment-control.js';
import { allowed, audited } from './back-office-actions.js';
import { navigation, readable, redemptionStatusLabels, staff } from './resources.js';

const stateLabels: Record<(typeof fulfilmentOrderStates)[number], string> = {
  placing: 'being placed',
  open: 'to pick',
  shipped: 'shipped',
  failed: 'failed',
  cancelled: 'cancelled',
};

const listAndShow = { list: true, show: true, edit: false, filter: false };

/**
 * The member, the reward and the delivery address of each record, in words (they are not columns of
 * the order), and its redemption as what it is rather than its id (the link to it stays).
 */
async function withNames(dataSource: DataSource, records: RecordJSON[]): Promise<RecordJSON[]> {
  const names = await describeOrders(
    dataSource.manager,
    records.map((record) => String(record.params.id)),
  );
  for (const record of records) {
    const described = names.get(String(record.params.id));
    if (!described) continue;
    Object.assign(record.params, { member: described.member, reward: described.reward, shipTo: described.shipTo ?? '' });
    const redemption = record.populated?.redemptionId;
    if (redemption) redemption.title = `${described.reward} for ${described.member}: ${redemptionStatusLabels[described.redemptionStatus]}`;
  }
  return records;
}

/** Which staff may report an order shipped, or failed: orders of the manual supplier only. */
const reportable = (action: 'markShipped' | 'markFailed') =>
  allowed('FulfilmentOrder', action, (context) => {
    const params = context.record?.params ?? {};
    if (params.supplier !== 'manual') return false;
    // A parcel that left after its cancellation is still reported: the member's points are reconciled.
    return action === 'markShipped' ? ['open', 'cancelled'].includes(String(params.state)) : params.state === 'open';
  });

function noticeOf(recorded: RecordedReport, outcome: 'shipped' | 'failed'): { message: string; type: 'success' | 'info' } {
  switch (recorded.outcome) {
    case 'recorded':
      return outcome === 'shipped'
        ? { message: 'Marked shipped: the member is told and the points are spent', type: 'success' }
        : { message: 'Marked failed: the points go back to the member, who is told', type: 'success' };
    case 'already_recorded':
      return { message: 'It was already reported so: nothing changed', type: 'info' };
    case 'points_taken':
      return { message: "Marked shipped after its cancellation: the member's points were taken again", type: 'success' };
    case 'needs_care':
      return { message: 'Marked shipped after its cancellation; the member has spent the points since: care will follow up', type: 'info' };
    case 'noted':
      return { message: 'Marked failed', type: 'success' };
  }
}

/**
 * The manual fulfilment queue: the orders staff pick (member, reward, ordered date, oldest first),
 * each marked shipped with a carrier and a tracking number, or failed with a reason. The report is
 * recorded in loyalty/ and the fulfilment told at once (it would find it at its next look anyway).
 */
export function fulfilmentOrders(
  dataSource: DataSource,
  { ledger, fulfilment, reportForm }: { ledger: Ledger; fulfilment?: FulfilmentControl; reportForm: string },
): ResourceWithOptions {
  const report = (outcome: 'shipped' | 'failed') => {
    const action = outcome === 'shipped' ? 'markShipped' : 'markFailed';
    return {
      actionType: 'record' as const,
      icon: outcome === 'shipped' ? 'Truck' : 'AlertTriangle',
      variant: outcome === 'shipped' ? ('success' as const) : ('danger' as const),
      component: reportForm,
      custom: {
        submit: outcome === 'shipped' ? 'Mark shipped' : 'Mark failed',
        fields:
          outcome === 'shipped'
            ? [
                { name: 'carrier', label: 'Carrier', placeholder: 'PostNL, DHL, UPS…' },
                { name: 'trackingNumber', label: 'Tracking number', placeholder: 'as on the label' },
              ]
            : [{ name: 'reason', label: 'Why it cannot be delivered', placeholder: 'e.g. out of stock at the warehouse', multiline: true }],
      },
      isAccessible: reportable(action),
      handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
        const [record] = await withNames(dataSource, [context.record!.toJSON(context.currentAdmin)]);
        if (request.method !== 'post') return { record };
        const payload = request.payload ?? {};
        const errors = checkShipmentReport(outcome, payload);
        if (Object.keys(errors).length > 0) {
          const fieldErrors = Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, { message }]));
          return {
            record: { ...record!, errors: fieldErrors },
            notice: { message: 'Please correct the highlighted fields', type: 'error' },
          };
        }
        const text = (key: string) => String(payload[key]).trim();
        const redemptionId = String(record!.params.redemptionId);
        const reportedBy = staff(context)!.email;
        let recorded: RecordedReport;
        try {
          recorded = await recordShipmentReport(
            dataSource,
            ledger,
            outcome === 'shipped'
              ? { redemptionId, reportedBy, outcome, carrier: text('carrier'), trackingNumber: text('trackingNumber') }
              : { redemptionId, reportedBy, outcome, reason: text('reason') },
            { supplier: 'manual' },
          );
        } catch (error) {
          if (!(error instanceof Refusal)) throw error;
          return { record, notice: { message: error.reason, type: 'error' } };
        }
        await audited(dataSource, context, 'FulfilmentOrder', action, String(record!.params.id), {
          outcome: recorded.outcome,
          ...(outcome === 'shipped' ? { carrier: text('carrier'), trackingNumber: text('trackingNumber') } : { reason: text('reason') }),
        });
        // Best effort: the fulfilment finds the recorded report at its next look if it is not told now.
        if (recorded.outcome === 'recorded') await fulfilment?.shipmentReported(redemptionId).catch(() => undefined);
        const updated = await context.resource.findOne(String(record!.params.id), context);
        return {
          record: updated ? (await withNames(dataSource, [updated.toJSON(context.currentAdmin)]))[0]! : record!,
          redirectUrl: context.h.resourceUrl({ resourceId: 'FulfilmentOrder' }),
          notice: noticeOf(recorded, outcome),
        };
      },
    };
  };

  return {
    resource: FulfilmentOrder,
    options: {
      navigation: navigation.fulfilment,
      sort: { sortBy: 'orderedAt', direction: 'asc' },
      listProperties: ['orderedAt', 'member', 'reward', 'shipTo', 'state', 'supplier'],
      showProperties: [
        'orderedAt',
        'member',
        'reward',
        'shipTo',
        'state',
        'supplier',
        'supplierOrderId',
        'carrier',
        'trackingNumber',
        'failureReason',
        'reportedAt',
        'reportedBy',
        'cancelledAt',
        'redemptionId',
      ],
      filterProperties: ['state', 'supplier', 'orderedAt', 'trackingNumber'],
      properties: {
        member: { type: 'string', isVisible: listAndShow, isSortable: false },
        reward: { type: 'string', isVisible: listAndShow, isSortable: false },
        shipTo: { type: 'string', isVisible: listAndShow, isSortable: false },
        state: { availableValues: fulfilmentOrderStates.map((value) => ({ value, label: stateLabels[value] })) },
        redemptionId: { type: 'reference', reference: 'Redemption' },
      },
      actions: {
        list: {
          isAccessible: readable('FulfilmentOrder'),
          // Without a filter, the list is the queue: the orders still to pick.
          before: async (request: ActionRequest) => {
            const query = request.query ?? {};
            if (Object.keys(query).some((key) => key.startsWith('filters.'))) return request;
            return { ...request, query: { ...query, 'filters.state': 'open' } };
          },
          after: async (response: ActionResponse) => {
            await withNames(dataSource, (response.records ?? []) as RecordJSON[]);
            return response;
          },
        },
        search: { isAccessible: readable('FulfilmentOrder') },
        show: {
          isAccessible: readable('FulfilmentOrder'),
          after: async (response: ActionResponse) => {
            if (response.record) await withNames(dataSource, [response.record as RecordJSON]);
            return response;
          },
        },
        new: { isAccessible: () => false },
        edit: { isAccessible: () => false },
        delete: { isAccessible: () => false },
        bulkDelete: { isAccessible: () => false },
        markShipped: report('shipped'),
        markFailed: report('failed'),
      },
    },
  };
}
