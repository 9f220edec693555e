import { proxyActivities, sleep } from '@temporalio/workflow';
import type { ReceiptActivities } from './activities/receipt-activities.js';

const steps = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
} as const;
const { readReceiptImage, settleReceiptReading, deleteReceiptImage } = proxyActivities<ReceiptActivities>(steps);

export interface ReceiptReadingInput {
  receiptId: string;
  /** How long the image is kept after the upload (for care's review), then deleted. */
  keepImageFor: string;
}

/**
 * Started from the outbox when a receipt's upload committed: OCR, then parse, match and pay or send
 * to review in one transaction, then the image's retention. Each step is idempotent by the receipt.
 */
export async function receiptReadingWorkflow({ receiptId, keepImageFor }: ReceiptReadingInput): Promise<string> {
  const ocr = await readReceiptImage(receiptId);
  const outcome = await settleReceiptReading(receiptId, ocr);
  await sleep(keepImageFor);
  await deleteReceiptImage(receiptId);
  return outcome;
}
