import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { Receipt, receiptReviewReasons, receiptStatuses } from '../entities/index.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import type { ImageStore } from '../loyalty/receipts/image-store.js';
import { typedPrice } from '../loyalty/money.js';
import { programSettings } from '../loyalty/earning/program-settings.js';
import {
  acceptReceipt,
  receiptReviewReasonExplanations,
  receiptReviewReasonLabels,
  ReceiptReviewRefusedError,
  receiptStatusLabels,
  receiptStoreChoices,
  rejectReceipt,
  storeChoiceOf,
} from '../loyalty/receipts/receipt-review.js';
import { allowed, audited } from './back-office-actions.js';
import { navigation, readable, staff } from './resources.js';

const closed = { isAccessible: () => false };
const points = new Intl.NumberFormat('en');

/** The problems of a refused review, each under its field of the form (one about the receipt as a whole: above it). */
function refusedFields(error: unknown): never {
  if (!(error instanceof ReceiptReviewRefusedError)) throw error;
  const { receipt, ...fields } = error.problems;
  throw new ValidationError(Object.fromEntries(Object.entries(fields).map(([field, message]) => [field, { message }])), {
    message: receipt ?? 'Please correct the highlighted fields',
  });
}

export interface ReceiptServices {
  ledger: Ledger;
  images?: ImageStore;
  /** Starts what a payment queued (webhooks, challenge progress) right after its commit; the outbox sweep does it otherwise. */
  processes?: { dispatchQueued(): Promise<number> };
}

/**
 * Receipts members and stores' apps sent, and care's review queue: those the reading could not pay
 * by itself (hard to read, an unknown store, sent before) wait here. Care sees the image beside what
 * was read and accepts (correcting store, date or total) or rejects with a reason for the member.
 */
export function receiptResource(dataSource: DataSource, services: ReceiptServices, component: string): ResourceWithOptions {
  const review = {
    actionType: 'record' as const,
    icon: 'Check',
    component,
    isAccessible: allowed('Receipt', 'review', (c) => c.record?.params.status === 'review'),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const record = context.record!.toJSON(context.currentAdmin);
      const id = String(record.params.id);
      if (request.method !== 'post') {
        const receipt = await dataSource.manager.findOneByOrFail(Receipt, { id });
        const image = receipt.imageDeletedAt || !services.images ? null : await services.images.get(receipt.imageKey);
        Object.assign(record.params, {
          storeChoices: JSON.stringify(await receiptStoreChoices(dataSource.manager)),
          storeChoice: storeChoiceOf(receipt),
          // In the program's currency, as care types it back ("14.63", "1200" yen).
          totalTyped:
            receipt.totalCents === null ? '' : typedPrice(receipt.totalCents, (await programSettings(dataSource.manager)).currency),
          reviewReasonLabel: receipt.reviewReason ? receiptReviewReasonLabels[receipt.reviewReason] : '',
          reviewReasonExplanation: receipt.reviewReason ? receiptReviewReasonExplanations[receipt.reviewReason] : '',
          imageDataUrl: image ? `data:${receipt.imageType};base64,${image.toString('base64')}` : '',
        });
        return { record };
      }
      const form = (request.payload ?? {}) as Record<string, unknown>;
      const agentId = staff(context)!.id;
      if (form.decision === 'reject') {
        await rejectReceipt(dataSource, { receiptId: id, agentId, reason: form.rejectionReason }).catch(refusedFields);
        await audited(dataSource, context, 'Receipt', 'reject', id, { status: 'rejected', rejectionReason: String(form.rejectionReason) });
        return {
          record,
          redirectUrl: context.h.resourceActionUrl({ resourceId: 'Receipt', actionName: 'list' }),
          notice: { message: 'Rejected: the member sees your reason on their dashboard', type: 'success' },
        };
      }
      const paid = await acceptReceipt(dataSource, services.ledger, {
        receiptId: id,
        agentId,
        corrections: {
          store: form.store,
          purchasedOn: form.purchasedOn,
          total: form.total,
          anotherPurchase: form.decision === 'acceptAnyway' ? (form.anotherPurchase ?? '') : undefined,
        },
      }).catch(refusedFields);
      await audited(dataSource, context, 'Receipt', paid.acceptedAnywayReason ? 'acceptAnyway' : 'accept', id, {
        status: 'awarded',
        points: paid.points,
        ...(paid.acceptedAnywayReason ? { acceptedAnywayReason: paid.acceptedAnywayReason } : {}),
      });
      if (paid.queued.length > 0) await services.processes?.dispatchQueued().catch(() => undefined);
      return {
        record,
        redirectUrl: context.h.resourceActionUrl({ resourceId: 'Receipt', actionName: 'list' }),
        notice: {
          message: `Accepted${paid.acceptedAnywayReason ? ' as another purchase' : ''}: ${points.format(paid.points)} points paid to the member`,
          type: 'success',
        },
      };
    },
  };
  return {
    resource: Receipt,
    options: {
      navigation: navigation.members,
      sort: { sortBy: 'uploadedAt', direction: 'desc' },
      listProperties: ['uploadedAt', 'memberId', 'partnerId', 'purchasedOn', 'totalCents', 'status', 'reviewReason', 'points'],
      showProperties: [
        'uploadedAt',
        'memberId',
        'source',
        'status',
        'reviewReason',
        'storeName',
        'partnerId',
        'pointOfSaleId',
        'purchasedOn',
        'totalCents',
        'confidence',
        'points',
        'eventId',
        'rejectionReason',
        'acceptedAnywayReason',
        'text',
        'imageDeletedAt',
      ],
      filterProperties: ['status', 'reviewReason', 'memberId', 'partnerId', 'uploadedAt'],
      properties: {
        memberId: { type: 'reference', reference: 'Member' },
        partnerId: { type: 'reference', reference: 'Partner', description: 'The store the receipt was matched to' },
        pointOfSaleId: { type: 'reference', reference: 'PointOfSale' },
        eventId: { type: 'reference', reference: 'MemberEvent' },
        status: { availableValues: receiptStatuses.map((value) => ({ value, label: receiptStatusLabels[value] })) },
        reviewReason: { availableValues: receiptReviewReasons.map((value) => ({ value, label: receiptReviewReasonLabels[value] })) },
        purchasedOn: { type: 'string' },
        text: { type: 'textarea', description: 'What the OCR read' },
        acceptedAnywayReason: { description: 'Why care paid it though the store had sent a purchase of the same day and total' },
      },
      actions: {
        list: { isAccessible: readable('Receipt') },
        search: { isAccessible: readable('Receipt') },
        show: { isAccessible: readable('Receipt') },
        new: closed,
        edit: closed,
        delete: closed,
        bulkDelete: closed,
        review,
      },
    },
  };
}
