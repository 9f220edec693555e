import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { Receipt } from '../../entities/index.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import type { ImageStore } from '../../loyalty/receipts/image-store.js';
import { settleReceiptReading, type OcrResult, type ReadingOutcome } from '../../loyalty/receipts/receipt-outcome.js';
import { temporalProcesses, type ProcessTiming } from '../process-dispatch.js';
import type { ReceiptReader } from './receipt-ocr.js';

/** The steps of a receipt: read its image, settle what was read, delete the image when its retention ends. */
export function createReceiptActivities({
  dataSource,
  ledger,
  images,
  reader,
  timing,
}: {
  dataSource: DataSource;
  ledger: Ledger;
  images: ImageStore;
  reader: ReceiptReader;
  timing: ProcessTiming;
}) {
  return {
    /** The OCR of the receipt's image; null when the receipt or its image is gone (nothing left to read). */
    async readReceiptImage(receiptId: string): Promise<OcrResult | null> {
      const receipt = await dataSource.manager.findOneBy(Receipt, { id: receiptId });
      if (!receipt || receipt.status !== 'reading') return null;
      const image = await images.get(receipt.imageKey);
      return image ? reader.read(image) : null;
    },
    async settleReceiptReading(receiptId: string, ocr: OcrResult | null): Promise<ReadingOutcome> {
      const { outcome, queued } = await settleReceiptReading(dataSource, ledger, receiptId, ocr ?? { text: '', confidence: 0 });
      // Committed: its webhooks and challenge progress start now (the outbox sweep starts them if this fails).
      if (queued.length > 0) {
        const context = Context.current();
        await temporalProcesses({ client: context.client, taskQueue: context.info.taskQueue, dataSource, timing })
          .dispatch(queued)
          .catch(() => undefined);
      }
      return outcome;
    },
    async deleteReceiptImage(receiptId: string): Promise<void> {
      const receipt = await dataSource.manager.findOneBy(Receipt, { id: receiptId });
      if (!receipt || receipt.imageDeletedAt) return;
      await images.delete(receipt.imageKey);
      await dataSource.manager.update(Receipt, { id: receiptId }, { imageDeletedAt: new Date() });
    },
  };
}

export type ReceiptActivities = ReturnType<typeof createReceiptActivities>;
