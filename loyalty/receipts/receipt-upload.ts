import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Receipt, type ReceiptSource } from '../../entities/index.js';
import { queueProcess } from '../outbox.js';
import { Refusal } from '../refusal.js';
import type { ImageStore } from './image-store.js';

/** The largest image accepted: a phone photo fits, a scan of a whole ledger does not. */
export const maxReceiptImageBytes = 10 * 1024 * 1024;

/** The image types OCR reads, by the bytes they start with (a name or a declared type may lie). */
const imageTypes = [
  { type: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  { type: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
] as const;

/** A receipt the program will not take as sent; `field` names what is wrong. */
export class ReceiptRefusedError extends Refusal {
  constructor(field: string, reason: string) {
    super('receipt_refused', reason, field);
  }
}

/** The image's type when it is a JPEG or PNG within the size limit; refused otherwise, naming `field`. */
export function receiptImageType(bytes: Buffer, field: string): string {
  if (bytes.length === 0) throw new ReceiptRefusedError(field, 'choose a photo or scan of the receipt');
  if (bytes.length > maxReceiptImageBytes)
    throw new ReceiptRefusedError(
      field,
      `is ${(bytes.length / 1024 / 1024).toFixed(1)} MB: at most ${maxReceiptImageBytes / 1024 / 1024} MB`,
    );
  const found = imageTypes.find(({ magic }) => magic.every((byte, i) => bytes[i] === byte));
  if (!found) throw new ReceiptRefusedError(field, 'must be a JPEG or PNG image');
  return found.type;
}

export interface ReceiptUpload {
  memberId: string;
  source: ReceiptSource;
  uploadedByPartnerId?: string;
  bytes: Buffer;
  /** What the form or request names the image by, for refusals. */
  field: string;
}

/**
 * Keeps the image and records the receipt in the caller's transaction, queuing its reading, which
 * starts once the transaction commits. The image is stored first: a receipt never names a missing
 * image (one whose receipt did not commit stays, unnamed, in the store: the caller deletes it).
 */
export async function submitReceipt(manager: EntityManager, images: ImageStore, upload: ReceiptUpload): Promise<Receipt> {
  const imageType = receiptImageType(upload.bytes, upload.field);
  const id = randomUUID();
  const imageKey = `receipts/${id}.${imageType === 'image/png' ? 'png' : 'jpg'}`;
  await images.put(imageKey, upload.bytes, imageType);
  const receipt = await manager.save(
    manager.create(Receipt, {
      id,
      memberId: upload.memberId,
      source: upload.source,
      uploadedByPartnerId: upload.uploadedByPartnerId ?? null,
      imageKey,
      imageType,
    }),
  );
  await queueProcess(manager, 'receipt_reading', receipt.id, {});
  return receipt;
}
