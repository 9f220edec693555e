import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import type { ProcessStarter } from '../api/idempotent-write.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { queuedBy } from '../loyalty/outbox.js';
import type { ImageStore } from '../loyalty/receipts/image-store.js';
import { memberReceipts } from '../loyalty/receipts/member-receipts.js';
import { maxReceiptImageBytes, ReceiptRefusedError, submitReceipt } from '../loyalty/receipts/receipt-upload.js';
import { receiptsPage } from './receipt-pages.js';
import { answer, memberOf } from './signed-in.js';

export interface ReceiptsDependencies {
  dataSource: DataSource;
  images: ImageStore;
  processes?: ProcessStarter;
  logFault: (error: unknown, path: string) => void;
}

/** The image of a posted multipart form, read with the platform's own form parser. */
async function postedImage(req: Request): Promise<Buffer> {
  const type = req.header('content-type') ?? '';
  if (!Buffer.isBuffer(req.body) || !type.startsWith('multipart/form-data')) return Buffer.alloc(0);
  const form = await new Response(new Uint8Array(req.body), { headers: { 'content-type': type } }).formData().catch(() => null);
  const file = form?.get('image');
  return file instanceof Blob ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
}

/** `/receipts`: the member sends a photo of a receipt and follows what became of the ones sent. */
export function receiptsRouter({ dataSource, images, processes, logFault }: ReceiptsDependencies): Router {
  const router = Router();
  // A little room over the image's limit for the form's own parts; beyond it, the page says the limit.
  const body = express.raw({ type: 'multipart/form-data', limit: maxReceiptImageBytes + 64 * 1024 });
  const tooLarge = (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type !== 'entity.too.large') return next(error);
    void memberReceipts(dataSource.manager, memberOf(res))
      .then((list) =>
        res
          .status(413)
          .type('html')
          .send(receiptsPage(list, { error: `The photo is too large: at most ${maxReceiptImageBytes / 1024 / 1024} MB` })),
      )
      .catch(next);
  };

  router.get(
    '/receipts',
    answer(async (req, res) => {
      const notice = req.query.sent === '1' ? 'Thank you: your receipt is being read. Its points show here in a moment.' : undefined;
      res.type('html').send(receiptsPage(await memberReceipts(dataSource.manager, memberOf(res)), { notice }));
    }),
  );

  router.post(
    '/receipts',
    body,
    tooLarge,
    answer(async (req, res) => {
      const memberId = memberOf(res);
      const bytes = await postedImage(req);
      let queued: string[];
      try {
        queued = await inTransaction(dataSource, async (manager) => {
          await submitReceipt(manager, images, { memberId, source: 'dashboard', bytes, field: 'image' });
          return queuedBy(manager);
        });
      } catch (error) {
        if (!(error instanceof ReceiptRefusedError)) throw error;
        return res
          .status(422)
          .type('html')
          .send(receiptsPage(await memberReceipts(dataSource.manager, memberId), { error: `The photo ${error.reason}` }));
      }
      // Started after the commit; the outbox sweep starts it if this fails.
      await processes?.dispatch(queued).catch((error: unknown) => logFault(error, req.path));
      res.redirect(303, '/member/receipts?sent=1');
    }),
  );
  return router;
}
