import { createRequire } from 'node:module';
import { createWorker, PSM, type Worker } from 'tesseract.js';
import type { OcrResult } from '../../loyalty/receipts/receipt-outcome.js';

/** The English data ships in an npm package: nothing is downloaded when the worker starts. */
const english = createRequire(import.meta.url)('@tesseract.js-data/eng') as { langPath: string; gzip: boolean };

/** Reads receipt images, one at a time, with one OCR engine started on first use and kept. */
export interface ReceiptReader {
  read(image: Buffer): Promise<OcrResult>;
  close(): Promise<void>;
}

/**
 * OCR takes a core for a second or more per image: one engine per process, started lazily (a
 * worker that never sees a receipt never loads the language data), its reads queued in turn.
 */
export function receiptReader(): ReceiptReader {
  let engine: Promise<Worker> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const started = () =>
    (engine ??= createWorker('eng', 1, {
      langPath: english.langPath,
      gzip: english.gzip,
      // The data is read from the package each start: no cache file is written beside the process.
      cacheMethod: 'none',
    }).then(async (worker) => {
      // A receipt read as one block of text keeps an amount on the line of its label (the automatic
      // layout, and the single-column one, split the amounts into a column of their own):
      // 14 of 24 generated receipts right against 12 and 9 (bench/README.md).
      await worker.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_BLOCK, preserve_interword_spaces: '1' });
      return worker;
    }));
  return {
    read(image) {
      const result = queue.then(async () => {
        const { data } = await (await started()).recognize(image);
        return { text: data.text, confidence: data.confidence };
      });
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      if (engine) await (await engine).terminate();
      engine = undefined;
    },
  };
}
